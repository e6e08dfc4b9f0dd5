import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzip } from 'node:zlib';
import { OtlpError, summarizeLogs, summarizeMetrics, type LogsSummary, type MetricsSummary } from './otlp.js';

export interface OtlpServerOptions {
  host: string;
  port: number;
  maxBodyBytes: number;
  onMetrics: (summary: MetricsSummary) => void;
  onLogs: (summary: LogsSummary) => void;
  /** A rate-limited warning; `key` groups repeats. */
  warn: (key: string, fields: Record<string, unknown>, message: string) => void;
}

export interface OtlpServer {
  readonly port: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
// google.rpc.Code values the OTLP spec uses in error bodies.
const INVALID_ARGUMENT = 3;
const PERMISSION_DENIED = 7;
const RESOURCE_EXHAUSTED = 8;
const NOT_FOUND = 5;
const UNIMPLEMENTED = 12;

/** The host name of a Host header without its port (`[::1]:4318` → `[::1]`). */
export function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1) || undefined;
  return h.split(':')[0];
}

function loopbackOrigin(origin: string): boolean {
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK.has(u.hostname);
  } catch {
    return false;
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function fail(res: ServerResponse, status: number, code: number, message: string, headers?: Record<string, string>): void {
  send(res, status, { code, message }, headers);
}

function unzip(buf: Buffer, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => gunzip(buf, { maxOutputLength: max }, (err, out) => (err ? reject(err) : resolve(out))));
}

/** Read the body up to `max` bytes; null when it is larger (the rest is not read). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > max) {
        done = true;
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => !done && ((done = true), resolve(Buffer.concat(chunks))));
    req.on('error', (e) => !done && ((done = true), reject(e)));
  });
}

/**
 * A minimal OTLP/HTTP receiver for JSON-encoded metrics and logs on a loopback address. It answers
 * as the spec says: 200 with `partialSuccess` (rejected counts when some items were unusable), 400
 * with a `google.rpc.Status` body for anything that is not OTLP JSON, 413 above `maxBodyBytes`,
 * 415 for protobuf or other encodings (JSON only), 403 for a non-loopback Host or Origin (DNS
 * rebinding), 404/405 for other paths and methods.
 */
export function startOtlpServer(o: OtlpServerOptions): Promise<OtlpServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const peer = req.socket.remoteAddress ?? 'unknown';
    const reject = (status: number, code: number, message: string, headers?: Record<string, string>) => {
      o.warn(`otlp:${status}:${peer}`, { status, path: req.url?.slice(0, 64), peer }, `OTLP receiver refused a request (${status}): ${message}`);
      fail(res, status, code, message, headers);
    };
    const host = hostName(req.headers.host);
    if (!host || !LOOPBACK.has(host)) return reject(403, PERMISSION_DENIED, 'the Host header must name a loopback address (localhost, 127.0.0.1, [::1])');
    const origin = req.headers.origin;
    if (origin && !loopbackOrigin(origin)) return reject(403, PERMISSION_DENIED, 'requests from web pages of other origins are refused');
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/v1/metrics' && path !== '/v1/logs') return reject(404, path === '/v1/traces' ? UNIMPLEMENTED : NOT_FOUND, 'only /v1/metrics and /v1/logs are received here');
    if (req.method !== 'POST') return reject(405, INVALID_ARGUMENT, 'use POST', { allow: 'POST' });
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      return reject(415, INVALID_ARGUMENT, type.includes('protobuf') ? 'only OTLP/HTTP JSON is accepted: set OTEL_EXPORTER_OTLP_PROTOCOL=http/json' : 'Content-Type must be application/json (OTLP/HTTP JSON)');
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity' && encoding !== 'gzip') return reject(415, INVALID_ARGUMENT, 'Content-Encoding must be gzip or none');
    const tooLarge = () => {
      // Let the client finish sending (discarded) so it reads the 413 rather than a reset; cut it off after 5 s.
      res.on('finish', () => {
        const cut = setTimeout(() => req.destroy(), 5_000);
        cut.unref();
        req.on('end', () => clearTimeout(cut));
        req.resume();
      });
      reject(413, RESOURCE_EXHAUSTED, `the request is larger than ${o.maxBodyBytes} bytes`, { connection: 'close' });
    };
    if (Number(req.headers['content-length'] ?? 0) > o.maxBodyBytes) return tooLarge();
    let body = await readBody(req, o.maxBodyBytes);
    if (!body) return tooLarge();
    if (encoding === 'gzip') {
      try {
        body = await unzip(body, o.maxBodyBytes);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge();
        return reject(400, INVALID_ARGUMENT, 'the body is not valid gzip');
      }
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return reject(400, INVALID_ARGUMENT, 'the body is not JSON');
    }
    try {
      if (path === '/v1/metrics') {
        const s = summarizeMetrics(json);
        o.onMetrics(s);
        send(res, 200, { partialSuccess: s.rejected ? { rejectedDataPoints: String(s.rejected), errorMessage: 'data points without a name or a numeric value were dropped' } : {} });
      } else {
        const s = summarizeLogs(json);
        o.onLogs(s);
        send(res, 200, { partialSuccess: s.rejected ? { rejectedLogRecords: String(s.rejected), errorMessage: 'log records that are not objects were dropped' } : {} });
      }
    } catch (e) {
      if (e instanceof OtlpError) return reject(400, INVALID_ARGUMENT, e.message);
      throw e;
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      o.warn('otlp:500', { err: e instanceof Error ? e.message : String(e) }, 'OTLP receiver failed on a request; it keeps running');
      if (!res.headersSent) fail(res, 500, 13, 'internal error');
      else res.destroy();
    });
  });
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      server.on('error', (e) => o.warn('otlp:server', { err: e.message }, `OTLP receiver error: ${e.message}`));
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
