import type { IncomingHttpHeaders } from 'node:http';
import { HttpError } from './errors.js';

/**
 * The first two gates of every request (HTTP and WebSocket alike): the Host header (against DNS
 * rebinding: a page on evil.example resolving to 127.0.0.1 sends `Host: evil.example:3778`) and the
 * Origin header (a browser page from another origin). Both are checked against the port the
 * server actually listens on.
 */
export class Gates {
  private hosts = new Set<string>();
  private origins = new Set<string>();
  private readonly extraOrigins: Set<string>;

  constructor(
    private readonly bindHost: string,
    private readonly allowedHosts: readonly string[],
    allowedOrigins: readonly string[],
  ) {
    this.extraOrigins = new Set(allowedOrigins.map((o) => o.replace(/\/$/, '').toLowerCase()));
  }

  /** Call once the port is known. */
  setPort(port: number): void {
    const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
    const b = this.bindHost.toLowerCase();
    if (b !== '0.0.0.0' && b !== '::' && b !== '[::]') names.add(b.includes(':') && !b.startsWith('[') ? `[${b}]` : b);
    this.hosts = new Set([...names].map((n) => `${n}:${port}`));
    for (const h of this.allowedHosts) this.hosts.add(h.toLowerCase());
    this.origins = new Set([...names].flatMap((n) => [`http://${n}:${port}`, `https://${n}:${port}`]));
  }

  /** Throw 403 for a Host or Origin that is not ours. Returns whether the origin is a foreign but allowed one (CORS). */
  check(headers: IncomingHttpHeaders): { cors: string | undefined } {
    const host = (headers.host ?? '').toLowerCase();
    if (!this.hosts.has(host)) {
      throw new HttpError(403, 'HTTP_ERR_HOST', `Host "${host.slice(0, 200)}" is not allowed; use http://127.0.0.1:<port>, or add it to plugins.http-api.config.allowedHosts`);
    }
    const origin = headers.origin;
    if (origin === undefined) return { cors: undefined };
    const o = origin.toLowerCase();
    if (this.origins.has(o)) return { cors: undefined };
    if (this.extraOrigins.has(o)) return { cors: origin };
    throw new HttpError(403, 'HTTP_ERR_ORIGIN', `Origin "${origin.slice(0, 200)}" is not allowed; add it to plugins.http-api.config.allowedOrigins if it should be`);
  }
}

/** CORS headers for an allowed foreign origin (bearer tokens only: no credentials). */
export function corsHeaders(origin: string): Record<string, string> {
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'GET, POST, PUT, DELETE',
    'access-control-allow-headers': 'authorization, content-type',
    'access-control-max-age': '600',
    vary: 'Origin',
  };
}
