import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { EventLogReader, KernelView, Logger, Principal } from '@devflow/plugin-sdk';
import type { TokenStore } from './auth.js';
import { HANDLED, runBuiltin, type BuiltinDeps, type Call } from './builtins.js';
import { isLoopbackHost, urlHost, type HttpApiConfig } from './config.js';
import { codedError, fromThrown, HttpError } from './errors.js';
import { Feed } from './feed.js';
import { parseFilter } from './filter.js';
import { corsHeaders, Gates } from './gates.js';
import { parseJsonBody, parseQuery, readBody, SECURITY_HEADERS, sendError } from './http-io.js';
import { Metrics } from './metrics.js';
import type { Registry, RouteValue } from './registry.js';
import { assertValid } from './schema-check.js';
import { findMount, StaticFiles } from './static.js';
import { Streams } from './streams.js';

const gzipAsync = promisify(gzip);
const GZIP_JSON_MIN = 8192;
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS']);

export interface ServerContext {
  config: HttpApiConfig;
  registry: Registry;
  tokens: TokenStore;
  kernel: KernelView;
  reader: EventLogReader;
  can(p: Principal, permission: string): boolean;
  logger: Logger;
}

function isRaw(v: unknown): v is { status: number; headers?: Record<string, string>; body: string | Buffer } {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  return keys.every((k) => k === 'status' || k === 'headers' || k === 'body') && Number.isInteger(o.status) && (o.status as number) >= 100 && (o.status as number) <= 599 && (typeof o.body === 'string' || Buffer.isBuffer(o.body));
}

/** Reject (with the abort reason) when the signal aborts. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
}

/**
 * The HTTP server of the process that holds the lease: gates (Host, Origin), routing, auth and
 * RBAC, bodies and schemas, handlers with a deadline, static files, the live streams and metrics.
 */
export class HttpServer {
  readonly metrics = new Metrics();
  readonly feed: Feed;
  readonly streams: Streams;
  private readonly gates: Gates;
  private readonly statics = new StaticFiles();
  private readonly server: Server;
  private readonly inflight = new Set<AbortController>();
  private readonly anonymousOk: boolean;
  private readonly deps: BuiltinDeps;
  port = 0;
  url: string | null = null;

  constructor(private readonly c: ServerContext) {
    const cfg = c.config;
    this.anonymousOk = cfg.anonymousLoopback && isLoopbackHost(cfg.host);
    this.gates = new Gates(cfg.host, cfg.allowedHosts, cfg.allowedOrigins);
    this.feed = new Feed(c.reader, (e) => this.metrics.event(e), (e) => c.logger.debug({ err: e }, 'reading the event log for the live stream failed; retrying'));
    this.streams = new Streams(this.feed, cfg.stream, (transport, d) => {
      this.metrics.streamDropped.inc({ transport });
      c.logger.warn({ code: 'HTTP_ERR_STREAM_SLOW', transport, ...d }, `http-api: disconnected a ${transport === 'ws' ? 'WebSocket' : 'SSE'} client of ${d.principal} that did not read (more than ${cfg.stream.maxBufferedBytes} bytes waiting)`);
    });
    this.deps = { kernel: c.kernel, reader: c.reader, registry: c.registry, tokens: c.tokens, metrics: this.metrics, streams: this.streams, can: c.can, info: () => this.info() };
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  info(): Record<string, unknown> {
    return { url: this.url, stream: this.streams.clients, routes: this.c.registry.router.list().length, static: this.c.registry.mounts.map((m) => m.prefix) };
  }

  /** Listen; rejects with HTTP_ERR_PORT_IN_USE (naming the port and the fix) or HTTP_ERR_LISTEN. */
  listen(): Promise<string> {
    const { host, port } = this.c.config;
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => {
        this.server.off('listening', onListening);
        if (e.code === 'EADDRINUSE') reject(codedError('HTTP_ERR_PORT_IN_USE', `port ${port} on ${host} is already in use (another program, or another DevFlow); free it or change plugins.http-api.config.port (0 = any free port)`));
        else reject(codedError('HTTP_ERR_LISTEN', `cannot listen on ${host}:${port}: ${e.message}; check plugins.http-api.config.host and port`));
      };
      const onListening = () => {
        this.server.off('error', onError);
        this.server.on('error', (e) => this.c.logger.error({ code: 'HTTP_ERR_LISTEN', err: e }, `http-api: server error: ${e.message}`));
        this.port = (this.server.address() as AddressInfo).port;
        this.gates.setPort(this.port);
        this.url = `http://${urlHost(host)}:${this.port}`;
        this.feed.start(this.c.config.stream.pollMs);
        resolve(this.url);
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen(port, host);
    });
  }

  /** Stop: close the streams, abort running handlers, let requests finish for up to a second. */
  async close(): Promise<void> {
    this.url = null;
    this.feed.stop();
    this.streams.close();
    for (const ac of this.inflight) ac.abort(new HttpError(503, 'HTTP_ERR_HANDLER', 'the server is stopping'));
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const timer = setTimeout(() => this.server.closeAllConnections(), 1000);
    await closed;
    clearTimeout(timer);
  }

  /** Who is calling, and may they: 401 without a valid token or session, 403 without the permission. */
  private authorize(req: IncomingMessage, v: RouteValue, what: string): Principal | undefined {
    if (v.access === 'login') return undefined;
    const h = this.c.tokens.fromHeader(req.headers.authorization);
    if (h === 'invalid') throw new HttpError(401, 'HTTP_ERR_UNAUTHORIZED', 'the bearer token is not valid', { 'www-authenticate': 'Bearer realm="devflow", error="invalid_token"' });
    const p = h === 'missing' ? this.c.tokens.fromCookie(req.headers.cookie) : h;
    if (!p) {
      if (v.access === 'scrape' && this.anonymousOk) return undefined;
      throw new HttpError(401, 'HTTP_ERR_UNAUTHORIZED', `${what} needs a token: send Authorization: Bearer <token> (the local token is in the http-token file of the DevFlow config directory) or log in with the dashboard link`, { 'www-authenticate': 'Bearer realm="devflow"' });
    }
    if (v.permission && !this.c.can(p, v.permission)) {
      throw new HttpError(403, 'HTTP_ERR_FORBIDDEN', `${p.id} (role ${p.role}) lacks ${v.permission}, which ${what} needs; ask an admin for a role that grants it`, {}, { permission: v.permission });
    }
    return p;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = KNOWN_METHODS.has(req.method ?? '') ? (req.method as string) : 'OTHER';
    let label = 'unmatched';
    res.once('close', () => this.metrics.http.observe({ route: label, method, status: String(res.statusCode) }, (performance.now() - started) / 1000));
    let extra: Record<string, string> = {};
    try {
      const url = req.url ?? '/';
      if (!url.startsWith('/')) throw new HttpError(400, 'HTTP_ERR_PATH_INVALID', 'the request target must be a path');
      const qi = url.indexOf('?');
      const rawPath = qi < 0 ? url : url.slice(0, qi);
      const { cors } = this.gates.check(req.headers);
      if (cors) extra = corsHeaders(cors);
      if (method === 'OPTIONS' && cors) {
        label = 'preflight';
        res.writeHead(204, { ...SECURITY_HEADERS, ...extra });
        res.end();
        return;
      }
      const lookup = method === 'HEAD' ? 'GET' : method;
      const m = this.c.registry.router.match(lookup, rawPath);
      if (m.kind === 'bad-path') throw new HttpError(400, 'HTTP_ERR_PATH_INVALID', m.message);
      if (m.kind === 'method') throw new HttpError(405, 'HTTP_ERR_METHOD', `${method} is not allowed here; use ${m.allowed.join(', ')}`, { allow: m.allowed.join(', ') });
      if (m.kind === 'none') {
        const mount = lookup === 'GET' && !/^\/(api|auth)(\/|$)/.test(rawPath) ? findMount(this.c.registry.mounts, rawPath) : undefined;
        if (!mount) throw new HttpError(404, 'HTTP_ERR_NOT_FOUND', `no route for ${method} ${rawPath.slice(0, 300)}; GET /api/v1/routes lists them`);
        label = `static:${mount.prefix}`;
        req.resume();
        return await this.statics.serve(mount, rawPath, req, res);
      }
      const v = m.route.value;
      label = m.route.path;
      const what = `${lookup} ${m.route.path}`;
      const principal = this.authorize(req, v, what);
      const query = parseQuery(qi < 0 ? '' : url.slice(qi + 1));
      if (v.kind === 'plugin' && v.query) assertValid((await v.query())(query), 'query');
      let body: unknown;
      if (lookup === 'GET') req.resume();
      else body = parseJsonBody(req, await readBody(req, this.c.config.maxBodyBytes));
      if (v.kind === 'plugin' && v.body) assertValid((await v.body())(body), 'body');
      const value = await this.run(res, what, (signal) => {
        const call: Call = { req, res, params: m.params, query, body, principal, signal, headers: extra };
        if (v.kind === 'builtin') return runBuiltin(v.name, call, this.deps);
        return v.def.handler({ params: m.params, query, body, principal: principal as Principal, signal });
      });
      if (value === HANDLED || res.headersSent || res.destroyed) return;
      if (isRaw(value)) {
        const b = typeof value.body === 'string' ? Buffer.from(value.body) : value.body;
        res.writeHead(value.status, { ...SECURITY_HEADERS, 'cache-control': 'no-store', ...value.headers, ...extra, 'content-length': String(b.length) });
        res.end(req.method === 'HEAD' ? undefined : b);
        return;
      }
      await this.sendJson(req, res, value, extra);
    } catch (e) {
      const err = fromThrown(e, `${method} ${label}`);
      if (err.status >= 500) this.c.logger.error({ code: err.code, err: e }, `http-api: ${method} ${label}: ${err.message}`);
      sendError(res, new HttpError(err.status, err.code, err.message, { ...extra, ...err.headers }, err.extra));
    }
  }

  /** Run a handler with a signal that aborts when the client leaves, the deadline passes or the server stops. */
  private async run(res: ServerResponse, what: string, fn: (signal: AbortSignal) => unknown): Promise<unknown> {
    const ac = new AbortController();
    this.inflight.add(ac);
    const onClose = () => res.writableFinished || ac.abort(new HttpError(499, 'HTTP_ERR_HANDLER', 'the client closed the connection'));
    res.once('close', onClose);
    const ms = this.c.config.requestTimeoutMs;
    const timer = setTimeout(() => ac.abort(new HttpError(504, 'HTTP_ERR_TIMEOUT', `${what} did not answer within ${ms} ms (plugins.http-api.config.requestTimeoutMs)`)), ms);
    try {
      return await Promise.race([Promise.resolve().then(() => fn(ac.signal)), aborted(ac.signal)]);
    } finally {
      clearTimeout(timer);
      this.inflight.delete(ac);
      if (!ac.signal.aborted) res.off('close', onClose);
    }
  }

  private async sendJson(req: IncomingMessage, res: ServerResponse, value: unknown, extra: Record<string, string>): Promise<void> {
    let body: Buffer = Buffer.from(JSON.stringify(value === undefined ? null : value));
    const headers: Record<string, string> = { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...extra };
    if (body.length >= GZIP_JSON_MIN && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      body = await gzipAsync(body);
      headers['content-encoding'] = 'gzip';
      headers.vary = 'Accept-Encoding';
    }
    if (res.destroyed) return;
    headers['content-length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /** WebSocket upgrades: the same gates, auth and permission as GET /api/v1/stream, then `ws`. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    try {
      const url = req.url ?? '/';
      const qi = url.indexOf('?');
      const rawPath = qi < 0 ? url : url.slice(0, qi);
      this.gates.check(req.headers);
      const m = this.c.registry.router.match('GET', rawPath);
      if (m.kind !== 'route' || m.route.value.kind !== 'builtin' || m.route.value.name !== 'ws') throw new HttpError(404, 'HTTP_ERR_NOT_FOUND', `no WebSocket endpoint at ${rawPath.slice(0, 300)}; use /api/v1/stream`);
      if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw new HttpError(400, 'HTTP_ERR_UPGRADE_REQUIRED', 'only WebSocket upgrades are supported');
      const principal = this.authorize(req, m.route.value, 'GET /api/v1/stream') as Principal;
      if (this.streams.full) throw new HttpError(503, 'HTTP_ERR_STREAM_FULL', 'too many stream clients; close one or raise plugins.http-api.config.stream.maxClients');
      const filter = parseFilter(parseQuery(qi < 0 ? '' : url.slice(qi + 1)));
      this.streams.upgrade(req, socket, head, filter, principal.id);
    } catch (e) {
      const err = fromThrown(e, 'WebSocket upgrade');
      const body = JSON.stringify({ error: { code: err.code, message: err.message } });
      const headers = Object.entries({ ...err.headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), connection: 'close' })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      if (socket.writable) socket.end(`HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}\r\n${headers}\r\n${body}`);
      else socket.destroy();
    }
  }
}
