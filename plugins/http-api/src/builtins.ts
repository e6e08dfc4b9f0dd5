import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseSince, type EventLogReader, type KernelView, type Principal } from '@devflow/plugin-sdk';
import type { RawResponse } from './api-types.js';
import type { TokenStore } from './auth.js';
import { CLEAR_SESSION_COOKIE } from './auth.js';
import { HttpError } from './errors.js';
import { parseFilter } from './filter.js';
import type { Metrics } from './metrics.js';
import type { BuiltinName, Registry } from './registry.js';
import { readiness, statusView } from './status-view.js';
import type { Streams } from './streams.js';

/** A response a built-in wrote itself (a stream, a redirect). */
export const HANDLED = Symbol('handled');

export interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  /** Undefined only for anonymous scrapes of /health, /ready, /status, /metrics on loopback. */
  principal: Principal | undefined;
  signal: AbortSignal;
  /** Extra headers for the answer (CORS). */
  headers: Record<string, string>;
}

export interface BuiltinDeps {
  kernel: KernelView;
  reader: EventLogReader;
  registry: Registry;
  tokens: TokenStore;
  metrics: Metrics;
  streams: Streams;
  can(p: Principal, permission: string): boolean;
  info(): Record<string, unknown>;
}

const TOOL_STATUS: Readonly<Record<string, number>> = {
  KRN_ERR_TOOL_INPUT: 400,
  KRN_ERR_FORBIDDEN: 403,
  KRN_ERR_TOOL_VETOED: 403,
  KRN_ERR_TOOL_NOT_FOUND: 404,
  KRN_ERR_TOOL_TIMEOUT: 504,
};
const TOOL_NAME_RE = /^[A-Za-z0-9_.-]{1,128}$/;

function intParam(query: Record<string, unknown>, name: string, min: number, max: number, fallback: number | undefined): number | undefined {
  const v = query[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !/^\d{1,15}$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new HttpError(400, 'HTTP_ERR_INPUT', `${name}: must be an integer from ${min} to ${max}`);
  }
  return Number(v);
}

/** A same-site path to go to after login: "/x", never "//host" or a URL. */
function safeRedirect(to: unknown): string {
  if (typeof to !== 'string' || !to) return '/';
  return /^\/(?![/\\])[^\s\\]*$/.test(to) && to.length <= 2000 ? to : '/';
}

type Builtin = (c: Call, d: BuiltinDeps) => unknown;

const BUILTINS: Record<BuiltinName, Builtin> = {
  health: () => ({ status: 'ok', uptimeSeconds: Math.floor(process.uptime()) }),
  ready: (c, d) => {
    const r = readiness(d.kernel.status());
    return r.ready ? r : ({ status: 503, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: JSON.stringify(r) } satisfies RawResponse);
  },
  status: (_c, d) => statusView(d.kernel.status(), d.info()),
  metrics: async (_c, d) => {
    let status;
    try {
      status = d.kernel.status();
    } catch {
      status = undefined; // stopping: the process metrics still answer
    }
    const body = await d.metrics.render(status, d.streams.clients.ws + d.streams.clients.sse);
    return { status: 200, headers: { 'content-type': d.metrics.contentType, 'cache-control': 'no-store' }, body } satisfies RawResponse;
  },
  login: (c, d) => {
    const token = c.query.token;
    const principal = typeof token === 'string' ? d.tokens.fromToken(token) : undefined;
    if (!principal) {
      throw new HttpError(401, 'HTTP_ERR_UNAUTHORIZED', 'the login link is missing its token or the token is wrong; open the dashboard link that `devflow start` prints', { 'www-authenticate': 'Bearer realm="devflow"' });
    }
    c.res.writeHead(302, { location: safeRedirect(c.query.to), 'set-cookie': d.tokens.sessionCookie(principal), 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    c.res.end();
    return HANDLED;
  },
  logout: (c) => {
    c.res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'set-cookie': CLEAR_SESSION_COOKIE, 'cache-control': 'no-store' });
    c.res.end('{"ok":true}');
    return HANDLED;
  },
  whoami: (c) => ({ principal: c.principal }),
  routes: (c, d) => ({
    routes: d.registry.router
      .list()
      .filter((r) => r.value.access !== 'login' && (r.value.permission === null || d.can(c.principal as Principal, r.value.permission)))
      .map((r) => ({ method: r.method, path: r.path, permission: r.value.permission, description: r.value.description, plugin: r.plugin })),
    static: d.registry.mounts.map((m) => ({ prefix: m.prefix, plugin: m.plugin, spa: m.spa })),
  }),
  tools: (c, d) => ({ tools: d.kernel.tools(c.principal as Principal) }),
  'tool-call': async (c, d) => {
    const name = c.params.name ?? '';
    if (!TOOL_NAME_RE.test(name)) throw new HttpError(404, 'KRN_ERR_TOOL_NOT_FOUND', `no tool named "${name.slice(0, 128)}"; GET /api/v1/tools lists them`);
    if (c.body !== undefined && (typeof c.body !== 'object' || c.body === null || Array.isArray(c.body))) {
      throw new HttpError(400, 'HTTP_ERR_INPUT', 'body: the tool arguments must be a JSON object');
    }
    const r = await d.kernel.callTool(name, c.body ?? {}, c.principal as Principal, { signal: c.signal });
    if (r.ok) return { value: r.value };
    const status = TOOL_STATUS[r.error.code] ?? 500;
    throw new HttpError(status, r.error.code, r.error.message, {}, r.error.issues ? { issues: r.error.issues } : {});
  },
  events: (c, d) => {
    const f = parseFilter(c.query);
    const since = typeof c.query.since === 'string' ? parseSince(c.query.since) : undefined;
    if (c.query.since !== undefined && since === undefined) throw new HttpError(400, 'HTTP_ERR_INPUT', 'since: give an ISO time, epoch ms or a duration such as "24h"');
    const limit = intParam(c.query, 'limit', 1, 200, 50) as number;
    const cursor = intParam(c.query, 'cursor', 0, Number.MAX_SAFE_INTEGER, undefined);
    const page = d.reader.query({
      ...(f.types ? { types: f.types } : {}),
      ...(f.project !== undefined ? { project: f.project } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(cursor !== undefined ? { after: cursor } : {}),
      limit,
      descending: true,
    });
    return { events: page.events.map((e) => ({ seq: e.seq, id: e.id, type: e.type, source: e.source, project: e.project, ts: e.ts, severity: e.severity, data: e.data })), next: page.next };
  },
  sse: (c, d) => {
    if (c.req.method === 'HEAD') return null;
    const f = parseFilter(c.query);
    if (d.streams.full) throw new HttpError(503, 'HTTP_ERR_STREAM_FULL', 'too many stream clients; close one or raise plugins.http-api.config.stream.maxClients');
    d.streams.serveSse(c.req, c.res, f, (c.principal as Principal).id, c.headers);
    return HANDLED;
  },
  ws: () => {
    throw new HttpError(426, 'HTTP_ERR_UPGRADE_REQUIRED', 'this is a WebSocket endpoint: connect with a WebSocket client (or use /api/v1/events/stream for Server-Sent Events)', { upgrade: 'websocket' });
  },
};

export function runBuiltin(name: BuiltinName, c: Call, d: BuiltinDeps): unknown {
  return BUILTINS[name](c, d);
}
