// The part of the http-api plugin's API the dashboard uses (the contract in docs; described here
// so the dashboard builds without importing the http-api package).
import type { Principal } from '@devflow/plugin-sdk';

export interface RouteRequest {
  readonly params: Record<string, string>;
  readonly query: Record<string, unknown>;
  readonly body: unknown;
  readonly principal: Principal;
  readonly signal: AbortSignal;
}

/** A non-JSON answer: exactly these keys. */
export interface RawResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

export interface RouteDefinition {
  readonly plugin: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly permission: string;
  readonly description: string;
  readonly query?: object;
  readonly body?: object;
  handler(req: RouteRequest): unknown | Promise<unknown>;
}

export interface HttpApi {
  url(): string | null;
  loginUrl(to?: string): string | null;
  route(def: RouteDefinition): { dispose(): void };
  serveStatic(def: { plugin: string; prefix: string; dir: string; spa?: boolean }): { dispose(): void };
}
