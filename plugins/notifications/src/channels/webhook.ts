// Generic webhook: POST the notification as JSON, optionally signed.
import { postJson, safeTarget } from './http.js';
import type { Channel, ChannelConfig, ChannelEnv, Message } from './types.js';

/** The URL from `url` or the variable `urlEnv` names; an error message when neither gives one. */
export function resolveUrl(name: string, c: ChannelConfig, env: ChannelEnv): { url: string } | { reason: string } {
  const url = c.url ?? (c.urlEnv ? env.env[c.urlEnv] : undefined);
  if (!url) return { reason: c.urlEnv ? `environment variable ${c.urlEnv} (urlEnv of channel "${name}") is not set` : `channel "${name}" has no url or urlEnv` };
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return { reason: `channel "${name}": the URL must be http(s)` };
  } catch {
    return { reason: `channel "${name}": the URL is not valid` };
  }
  return { url };
}

/** The JSON a generic webhook receives. */
export function webhookPayload(m: Message): Record<string, unknown> {
  return {
    kind: m.kind,
    title: m.title,
    body: m.body,
    severity: m.severity,
    project: m.project,
    rule: m.rule,
    source: m.source,
    key: m.key,
    at: new Date(m.at).toISOString(),
    ...(m.items ? { items: m.items.map((i) => ({ ...i, at: new Date(i.at).toISOString() })) } : {}),
    ...(m.attachments ? { attachments: m.attachments } : {}),
  };
}

export function httpChannel(type: string, payload: (m: Message) => unknown, sign: boolean) {
  return (name: string, c: ChannelConfig, env: ChannelEnv): Channel => {
    const resolved = resolveUrl(name, c, env);
    const secret = sign && c.secretEnv ? env.env[c.secretEnv] : undefined;
    const missingSecret = sign && c.secretEnv && !secret ? `environment variable ${c.secretEnv} (secretEnv of channel "${name}") is not set` : undefined;
    return {
      name,
      type,
      target: 'url' in resolved ? safeTarget(resolved.url) : '(no URL)',
      availability: () => ('reason' in resolved ? { ok: false, reason: resolved.reason } : missingSecret ? { ok: false, reason: missingSecret } : { ok: true }),
      async send(m, signal) {
        if ('reason' in resolved) return { ok: false, attempts: 0, reason: resolved.reason };
        if (missingSecret) return { ok: false, attempts: 0, reason: missingSecret };
        return postJson(
          { url: resolved.url, body: payload(m), timeoutMs: c.timeoutMs ?? 5000, retries: c.retries ?? 3, ...(secret ? { secret } : {}), ...(c.headers ? { headers: c.headers } : {}), now: Date.now },
          env,
          signal,
        );
      },
    };
  };
}

export const webhookChannel = httpChannel('webhook', webhookPayload, true);
