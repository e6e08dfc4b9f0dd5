import type { Principal } from '@devflow/plugin-sdk';

/** HTTP methods a plugin route may answer. */
export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * What a route handler receives: path parameters, the validated query and body, the caller and a
 * signal aborted when the client goes away, the handler times out, or the server stops.
 *
 * @example
 * ```ts
 * handler: ({ params, query }) => store.report(params.id, query.format)
 * ```
 */
export interface RouteRequest {
  readonly params: Record<string, string>;
  readonly query: Record<string, unknown>;
  readonly body: unknown;
  readonly principal: Principal;
  readonly signal: AbortSignal;
}

/**
 * A non-JSON answer (HTML, CSV, a file): return it from a handler instead of a JSON value. An
 * object counts as a raw response when it has exactly these keys (`headers` optional), `status`
 * is an HTTP status and `body` is a string or a Buffer.
 *
 * @example
 * ```ts
 * return { status: 200, headers: { 'content-type': 'text/csv' }, body: 'a,b\n1,2\n' };
 * ```
 */
export interface RawResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

/**
 * A REST route a plugin adds under `/api/v1/`. `path` segments are literal or `:name` parameters.
 * `query` and `body` are JSON Schemas (query values are coerced from strings: `?limit=5` → 5);
 * a request that does not match gets 400 naming the problem. The caller's role must grant
 * `permission` (else 403 naming it). Throw an error with a numeric `status` (and optionally a
 * `code`) to answer with that status, e.g. 404 for an unknown id.
 *
 * @example
 * ```ts
 * http.route({
 *   plugin: ctx.id, method: 'GET', path: '/api/v1/reports/:id', permission: 'reports:read',
 *   description: 'One stored report.', query: { type: 'object', properties: { format: { enum: ['md', 'html'] } } },
 *   handler: ({ params }) => reports.get(params.id) ?? Promise.reject(Object.assign(new Error('no such report'), { status: 404 })),
 * });
 * ```
 */
export interface RouteDefinition {
  readonly plugin: string;
  readonly method: RouteMethod;
  readonly path: string;
  readonly permission: string;
  readonly description: string;
  readonly query?: object;
  readonly body?: object;
  handler(req: RouteRequest): unknown | Promise<unknown>;
}

/**
 * Static files under a URL prefix (`/` for the dashboard). Paths that try to leave `dir` are
 * refused; answers carry an ETag (304 on a match) and are gzipped when the client accepts it.
 * With `spa`, an unknown path that looks like a page (no file extension) gets `index.html`.
 *
 * @example
 * ```ts
 * http.serveStatic({ plugin: ctx.id, prefix: '/', dir: fileURLToPath(new URL('../../web', import.meta.url)), spa: true });
 * ```
 */
export interface StaticDefinition {
  readonly plugin: string;
  readonly prefix: string;
  readonly dir: string;
  readonly spa?: boolean;
}

/**
 * The http-api plugin's API, for plugins that declare it as a dependency
 * (`ctx.use('http-api')`). Registrations are kept in every process; only the process holding the
 * monitor lease listens, so `url()` is `null` elsewhere (and before the server listens).
 *
 * @example
 * ```ts
 * const http = ctx.use('http-api') as HttpApi;
 * http.serveStatic({ plugin: ctx.id, prefix: '/', dir: webDir, spa: true });
 * ctx.logger.info(`dashboard at ${http.loginUrl('/') ?? '(not listening in this process)'}`);
 * ```
 */
export interface HttpApi {
  /** Base URL once listening, e.g. `http://127.0.0.1:3778` (null before, and in processes without the lease). */
  url(): string | null;
  /** The URL that logs a browser in (session cookie, HttpOnly, SameSite=Strict) and then redirects to `to` (default `/`). */
  loginUrl(to?: string): string | null;
  /** Register a route under `/api/v1/`; removed when `plugin` stops. Throws `HTTP_ERR_ROUTE_INVALID` / `HTTP_ERR_ROUTE_DUPLICATE`. */
  route(def: RouteDefinition): { dispose(): void };
  /** Serve static files from `dir` under `prefix`; removed when `plugin` stops. Throws `HTTP_ERR_STATIC_INVALID`. */
  serveStatic(def: StaticDefinition): { dispose(): void };
}

// The events this plugin emits, typed for everyone who imports it.
declare module '@devflow/plugin-sdk' {
  interface DevflowEventMap {
    /** The server listens (in the process that holds the lease). No token in it: events are stored and may be synced. */
    'http-api.server.listening': { url: string; port: number };
    /** The server stopped listening: the plugin stopped, or this process lost the lease. */
    'http-api.server.stopped': { url: string | null; port: number; reason: 'plugin stopped' | 'lease lost' };
    /** Listening failed (port in use, bad host); retried every listenRetryMs. Emitted once per failure streak. */
    'http-api.server.failed': { port: number; code: string; message: string };
  }
}
