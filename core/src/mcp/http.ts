import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Principal } from '@devflow/plugin-sdk';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { PluginError } from '../errors.js';
import type { Kernel } from '../kernel.js';
import type { McpLogBridge } from './log-bridge.js';
import type { ProfileSpec } from './profiles.js';
import { createMcpServer } from './server.js';

export interface HttpTokenConfig {
  token?: string;
  tokenSha256?: string;
  principal: string;
  role: string;
}

export interface HttpOptions {
  host: string;
  port: number;
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
  tokens: readonly HttpTokenConfig[];
  profile: ProfileSpec;
  localPrincipal: Principal;
  bridge: McpLogBridge;
  /** Close sessions idle this long (default 30 min). */
  sessionIdleMs?: number;
}

const MAX_BODY = 4 * 1024 * 1024;
const sha256 = (s: string) => createHash('sha256').update(s).digest();

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function send(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}, rpcCode = -32000): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: rpcCode, message }, id: null }));
}

/**
 * The request body, or 'too-large' past MAX_BODY (announced by Content-Length or counted). A body
 * that is too large keeps being read and thrown away, so the client gets to read the 413 instead
 * of a connection reset; see refuseBody.
 */
function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length']) > MAX_BODY) return resolve('too-large');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) return void chunks.push(c);
      chunks.length = 0; // keep reading, keep nothing
      resolve('too-large');
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Answer 413 and close; drain what the client still sends for a moment, then hang up. */
function refuseBody(req: IncomingMessage, res: ServerResponse): void {
  send(res, 413, `Payload too large: at most ${MAX_BODY} bytes`, { connection: 'close' });
  req.resume();
  const timer = setTimeout(() => req.destroy(), 2000).unref();
  req.once('close', () => clearTimeout(timer));
}

interface Session {
  transport: StreamableHTTPServerTransport;
  principal: Principal;
  lastSeen: number;
  close(): void;
}

/** A session nobody used for this long is closed (clients that vanish without DELETE). */
export const SESSION_IDLE_MS = 30 * 60_000;

/**
 * MCP over Streamable HTTP at /mcp, with sessions. Every request passes three gates first: the
 * Host header (DNS rebinding), the Origin header (403 for a foreign one, as the spec asks), and,
 * when tokens are configured or the server listens beyond loopback, a bearer token (401 with
 * WWW-Authenticate) that decides the session's principal.
 */
export async function serveHttp(kernel: Kernel, options: HttpOptions): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const needsToken = options.tokens.length > 0 || !isLoopback(options.host);
  if (needsToken && options.tokens.length === 0) {
    throw new PluginError('KRN_ERR_CONFIG_INVALID', { phase: 'config', detail: `listening on ${options.host} (beyond loopback) needs bearer tokens: add mcp.http.tokens to the config` });
  }
  const tokenHashes = options.tokens.map((t) => ({ hash: t.tokenSha256 ? Buffer.from(t.tokenSha256, 'hex') : sha256(t.token ?? ''), principal: t.principal, role: t.role }));
  const sessions = new Map<string, Session>();
  const sweeper = setInterval(() => {
    const idleSince = Date.now() - (options.sessionIdleMs ?? SESSION_IDLE_MS);
    for (const s of sessions.values()) if (s.lastSeen < idleSince) void s.transport.close().catch(() => {});
  }, Math.min(60_000, options.sessionIdleMs ?? SESSION_IDLE_MS));
  sweeper.unref();
  let port = options.port;

  const authenticate = (req: IncomingMessage): Principal | undefined => {
    if (!needsToken) return options.localPrincipal;
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m) return undefined;
    const given = sha256(m[1] as string);
    const hit = tokenHashes.find((t) => t.hash.length === given.length && timingSafeEqual(t.hash, given));
    return hit ? { id: `token:${hit.principal}`, kind: 'token', role: hit.role } : undefined;
  };

  const hostAllowed = (req: IncomingMessage): boolean => {
    const host = (req.headers.host ?? '').toLowerCase();
    const names = ['127.0.0.1', 'localhost', '[::1]', options.host.includes(':') ? `[${options.host}]` : options.host];
    return names.some((n) => host === `${n}:${port}`) || options.allowedHosts.includes(host);
  };
  const originAllowed = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (origin === undefined) return true; // not a browser
    const ok = ['127.0.0.1', 'localhost', '[::1]'].flatMap((h) => [`http://${h}:${port}`, `https://${h}:${port}`]);
    return ok.includes(origin) || options.allowedOrigins.includes(origin);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req)) return send(res, 403, `Forbidden: Host "${req.headers.host ?? ''}" is not allowed`);
    if (!originAllowed(req)) return send(res, 403, `Forbidden: Origin "${req.headers.origin}" is not allowed`);
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/mcp') return send(res, 404, 'Not found: the MCP endpoint is /mcp');
    const principal = authenticate(req);
    if (!principal) {
      kernel.audit.record({ principal: 'anonymous', action: 'mcp:http', target: '/mcp', outcome: 'denied', detail: { reason: req.headers.authorization ? 'invalid token' : 'no token' } });
      return send(res, 401, 'Unauthorized: send Authorization: Bearer <token>', { 'www-authenticate': 'Bearer realm="devflow", error="invalid_token"' });
    }
    const sessionId = req.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (typeof sessionId === 'string' && !existing) return send(res, 404, 'Session not found: initialize a new session', {}, -32001);
    if (existing && existing.principal.id !== principal.id) return send(res, 403, 'Forbidden: the session belongs to another principal');

    let body: unknown;
    if (req.method === 'POST') {
      const raw = await readBody(req);
      if (raw === 'too-large') return refuseBody(req, res);
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return send(res, 400, 'Parse error: the body is not JSON', {}, -32700);
      }
    }
    if (existing) {
      existing.lastSeen = Date.now();
      return existing.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || !(Array.isArray(body) ? body.some(isInitializeRequest) : isInitializeRequest(body))) {
      return send(res, 400, 'Bad Request: no valid session ID; start with an initialize request');
    }
    const { server, close } = createMcpServer(kernel, { principal, profile: options.profile });
    const detach = options.bridge.attach(server);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, { transport, principal, lastSeen: Date.now(), close: () => (detach(), close()) }),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.get(transport.sessionId)?.close();
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((e) => {
      kernel.logger.error({ err: e }, 'MCP HTTP request failed');
      if (!res.headersSent) send(res, 500, 'Internal error');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => resolve());
  });
  port = (http.address() as AddressInfo).port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}/mcp`,
    port,
    async close() {
      clearInterval(sweeper);
      for (const s of sessions.values()) await s.transport.close().catch(() => {});
      sessions.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
