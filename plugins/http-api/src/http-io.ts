import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './errors.js';

/** Headers every answer carries: no sniffing, no framing, no referrer leaks. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
});

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value ?? null);
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.status, { error: { code: err.code, message: err.message, ...err.extra } }, { ...err.headers });
}

/**
 * The request body, at most `limit` bytes (announced by Content-Length or counted). Past the
 * limit it throws a 413 and keeps draining what the client still sends for a moment, so the
 * client can read the answer instead of seeing a reset.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => {
      req.resume();
      const timer = setTimeout(() => req.destroy(), 2000).unref();
      req.once('close', () => clearTimeout(timer));
      reject(new HttpError(413, 'HTTP_ERR_BODY_TOO_LARGE', `the request body is larger than ${limit} bytes (plugins.http-api.config.maxBodyBytes)`, { connection: 'close' }));
    };
    if (Number(req.headers['content-length']) > limit) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      over = true;
      chunks.length = 0;
      req.off('data', onData);
      tooLarge();
    };
    req.on('data', onData);
    req.once('end', () => over || resolve(Buffer.concat(chunks)));
    req.once('error', (e) => over || reject(e));
  });
}

/** Parse a JSON body: undefined when empty, 415 for another content type, 400 for bad JSON. */
export function parseJsonBody(req: IncomingMessage, raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json' && !type?.endsWith('+json')) {
    throw new HttpError(415, 'HTTP_ERR_CONTENT_TYPE', `send the body as JSON with Content-Type: application/json (got ${JSON.stringify(type ?? '')})`);
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new HttpError(400, 'HTTP_ERR_BODY_INVALID', `the body is not valid JSON: ${(e as Error).message}`);
  }
}

/** Query string → object; a repeated key becomes an array. */
export function parseQuery(search: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!search) return out;
  for (const [k, v] of new URLSearchParams(search)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** Cookies of a request by name (the first of each name). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    if (name && !out.has(name)) out.set(name, part.slice(i + 1).trim());
  }
  return out;
}
