// JSON POST with a timeout, retries with backoff on network errors, 5xx and 429 (honoring
// Retry-After), and an optional HMAC-SHA256 signature. Never puts the URL in a message: it may
// carry a token (Slack incoming webhooks do).
import { createHmac } from 'node:crypto';
import type { ChannelEnv, SendResult } from './types.js';

export interface PostOptions {
  url: string;
  body: unknown;
  timeoutMs: number;
  retries: number;
  /** HMAC-SHA256 key: adds `X-Devflow-Timestamp` and `X-Devflow-Signature: sha256=<hex of "timestamp.body">`. */
  secret?: string;
  headers?: Record<string, string>;
  now: () => number;
}

/** Backoff before retry `n` (1-based): 1 s, 2 s, 4 s … at most 30 s. */
export const backoffMs = (n: number): number => Math.min(30_000, 1000 * 2 ** (n - 1));
/** The longest Retry-After honoured; longer ones are cut to this. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Retry-After as ms: delta seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const v = header.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.min(MAX_RETRY_AFTER_MS, Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, t - now)) : undefined;
}

/** The URL as it may be shown: scheme and host only. */
export function safeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(invalid URL)';
  }
}

/** Sign `body` the way receivers verify it: HMAC-SHA256 over `${timestamp}.${body}`. */
export function sign(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export async function postJson(o: PostOptions, env: ChannelEnv, signal?: AbortSignal): Promise<SendResult> {
  const body = JSON.stringify(o.body);
  let last = 'not attempted';
  for (let attempt = 1; attempt <= o.retries + 1; attempt++) {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'devflow-notifications/1', ...o.headers };
    if (o.secret) {
      const ts = String(Math.floor(o.now() / 1000));
      headers['x-devflow-timestamp'] = ts;
      headers['x-devflow-signature'] = sign(o.secret, ts, body);
    }
    let wait: number | undefined;
    try {
      const timeout = AbortSignal.timeout(o.timeoutMs);
      const res = await env.fetch(o.url, { method: 'POST', headers, body, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      await res.text().catch(() => '');
      if (res.ok) return { ok: true, attempts: attempt };
      last = `HTTP ${res.status}`;
      if (res.status !== 429 && res.status < 500) return { ok: false, attempts: attempt, reason: `${last} (not retried: a 4xx other than 429 means the request or URL is wrong)` };
      wait = retryAfterMs(res.headers.get('retry-after'), o.now());
    } catch (e) {
      if (signal?.aborted) return { ok: false, attempts: attempt, reason: 'cancelled' };
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const detail = (err.cause?.code ?? err.cause?.message ?? '').replace(/[a-z][a-z0-9+.-]*:\/\/\S*/gi, '(url)').slice(0, 80);
      last = err.name === 'TimeoutError' ? `timed out after ${o.timeoutMs} ms` : `network error${detail ? ` ${detail}` : ''}`;
    }
    if (attempt <= o.retries) await env.sleep(wait ?? backoffMs(attempt), signal);
  }
  return { ok: false, attempts: o.retries + 1, reason: `${last} after ${o.retries + 1} attempt(s)` };
}
