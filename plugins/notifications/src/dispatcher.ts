// One notification through the pipeline: dedup by key → per channel: availability, minSeverity,
// quiet hours (hold for a digest, or drop), rate limit (token bucket) → send → record.
// Plus the periodic flush: quiet-hours digests and "N more" rate-limit summaries.
import type { ChannelRegistry } from './channels/registry.js';
import { SEVERITY_RANK, type Channel, type Message, type NotifySeverity } from './channels/types.js';
import { inQuietHours } from './quiet-hours.js';
import type { NotificationStore } from './store.js';

export interface NotifyInput {
  title: string;
  body?: string;
  severity: NotifySeverity;
  project?: string | null;
  /** Dedup key; default `<source>|<title>`. */
  key?: string;
  source?: string;
  attachments?: { name: string; path: string }[];
  rule?: string | null;
  cooldownMs?: number;
  channels?: readonly string[];
  /** A test: skips dedup, quiet hours and rate limits (still honours availability). */
  test?: boolean;
}

export type ChannelStatus = 'sent' | 'failed' | 'held' | 'dropped' | 'rate-limited' | 'below-min-severity' | 'unavailable' | 'unknown';
export interface ChannelOutcome {
  channel: string;
  status: ChannelStatus;
  reason?: string;
  attempts?: number;
}
export type Outcome = 'delivered' | 'partial' | 'failed' | 'deduplicated' | 'suppressed' | 'held';
export interface NotifyResult {
  /** Channels that delivered. */
  channels: string[];
  /** Why nothing (or not everything) was delivered. */
  suppressed?: string;
  outcome: Outcome;
  key: string;
  results: ChannelOutcome[];
}

export interface DispatcherDeps {
  store: NotificationStore;
  channels: ChannelRegistry;
  now: () => number;
  defaultChannels: readonly string[];
  defaultCooldownMs: number;
  /** After a delivery (the plugin emits notifications.notification.sent). */
  onDelivered?: (m: Message, channel: string) => void;
  warn: (obj: Record<string, unknown>, msg: string) => void;
}

const DIGEST_ITEMS = 20;
const MAX_HELD_ATTEMPTS = 5;

function outcomeOf(results: readonly ChannelOutcome[]): Outcome {
  const n = (s: ChannelStatus) => results.filter((r) => r.status === s).length;
  if (n('sent') === results.length && results.length) return 'delivered';
  if (n('sent')) return 'partial';
  if (n('held')) return 'held';
  if (results.some((r) => r.status === 'failed' || r.status === 'unavailable' || r.status === 'unknown') || !results.length) return 'failed';
  return 'suppressed';
}

export class Dispatcher {
  private readonly warned = new Set<string>();

  constructor(private readonly d: DispatcherDeps) {}

  async notify(n: NotifyInput, signal?: AbortSignal): Promise<NotifyResult> {
    const now = this.d.now();
    const source = n.source ?? (n.rule ? 'notifications' : 'api');
    const key = n.key ?? `${source}|${n.title}`;
    const message: Message = {
      kind: n.test ? 'test' : 'alert',
      title: n.title,
      body: n.body ?? '',
      severity: n.severity,
      project: n.project ?? null,
      rule: n.rule ?? null,
      source,
      key,
      at: now,
      ...(n.attachments?.length ? { attachments: n.attachments } : {}),
    };
    const record = (outcome: Outcome, results: ChannelOutcome[], suppressed?: string): NotifyResult => {
      const delivered = results.filter((r) => r.status === 'sent').map((r) => r.channel);
      const detail = JSON.stringify(results.map((r) => ({ ...r, reason: r.reason?.slice(0, 200) })).slice(0, 20));
      this.d.store.log({ ts: now, rule: message.rule, source, key, project: message.project, severity: n.severity, title: n.title, outcome, delivered: delivered.join(','), detail });
      return { channels: delivered, outcome, key, results, ...(suppressed ? { suppressed } : {}) };
    };
    if (!n.test) {
      const claim = this.d.store.claimKey(key, now, n.cooldownMs ?? this.d.defaultCooldownMs);
      if (!claim.ok) {
        const mins = Math.round((n.cooldownMs ?? this.d.defaultCooldownMs) / 60_000);
        return record('deduplicated', [], `duplicate: key "${key}" was notified at ${new Date(claim.firedAt).toISOString()}, within the ${mins}-minute cooldown`);
      }
    }
    const names = [...new Set(n.channels ?? this.d.defaultChannels)];
    const results = await Promise.all(names.map((name) => this.toChannel(name, message, now, !!n.test, signal)));
    const outcome = outcomeOf(results);
    const notSent = results.filter((r) => r.status !== 'sent');
    const why = notSent.map((r) => `${r.channel}: ${r.status}${r.reason ? ` (${r.reason})` : ''}`).join('; ');
    return record(outcome, results, notSent.length ? why || undefined : undefined);
  }

  private async toChannel(name: string, m: Message, now: number, test: boolean, signal?: AbortSignal): Promise<ChannelOutcome> {
    const ch = this.d.channels.get(name);
    if ('missing' in ch) return { channel: name, status: 'unknown', reason: ch.missing };
    const avail = ch.availability();
    if (!avail.ok) {
      this.warnOnce(`unavailable:${name}`, { code: 'NOTIFY_ERR_CHANNEL_UNAVAILABLE', channel: name, type: ch.type }, `notifications: channel "${name}" cannot deliver: ${avail.reason}`);
      return { channel: name, status: 'unavailable', reason: avail.reason };
    }
    const c = this.d.channels.config(name) ?? { type: ch.type };
    if (!test && SEVERITY_RANK[m.severity] < SEVERITY_RANK[c.minSeverity ?? 'info']) return { channel: name, status: 'below-min-severity', reason: `channel takes ${c.minSeverity} and above` };
    if (!test && c.quietHours && m.severity !== 'error' && inQuietHours(now, c.quietHours)) {
      if ((c.quietHours.mode ?? 'digest') === 'drop') return { channel: name, status: 'dropped', reason: `quiet hours ${c.quietHours.start}–${c.quietHours.end}` };
      this.d.store.hold(name, now, m.severity, m.title, m.project, m.rule);
      return { channel: name, status: 'held', reason: `quiet hours until ${c.quietHours.end}; delivered in a digest` };
    }
    if (!test && !this.d.store.takeToken(name, c.ratePerHour ?? 30, now, m.title)) {
      return { channel: name, status: 'rate-limited', reason: `more than ${c.ratePerHour ?? 30} per hour; counted for a later "N more" summary` };
    }
    return this.send(ch, m, signal);
  }

  private async send(ch: Channel, m: Message, signal?: AbortSignal): Promise<ChannelOutcome> {
    let r;
    try {
      r = await ch.send(m, signal);
    } catch (e) {
      r = { ok: false as const, attempts: 1, reason: `channel threw: ${(e as Error).name}` };
    }
    if (r.ok) {
      this.d.onDelivered?.(m, ch.name);
      return { channel: ch.name, status: 'sent', attempts: r.attempts };
    }
    this.d.warn({ code: 'NOTIFY_ERR_DELIVERY_FAILED', channel: ch.name, type: ch.type, target: ch.target, attempts: r.attempts }, `notifications: delivery to channel "${ch.name}" (${ch.type}, ${ch.target}) failed: ${r.reason}`);
    return { channel: ch.name, status: 'failed', reason: r.reason, attempts: r.attempts };
  }

  private warnOnce(key: string, obj: Record<string, unknown>, msg: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.d.warn(obj, msg);
  }

  /** Deliver quiet-hours digests whose window ended and "N more" summaries whose bucket has a token again. */
  async flush(signal?: AbortSignal): Promise<{ digests: number; summaries: number }> {
    const now = this.d.now();
    let digests = 0;
    let summaries = 0;
    for (const name of this.d.store.heldChannels()) {
      const c = this.d.channels.config(name);
      if (c?.quietHours && inQuietHours(now, c.quietHours)) continue;
      const rows = this.d.store.held(name);
      const last = rows[rows.length - 1];
      if (!last) continue;
      const ch = this.d.channels.get(name);
      const worst = rows.reduce<NotifySeverity>((w, r) => (SEVERITY_RANK[r.severity] > SEVERITY_RANK[w] ? r.severity : w), 'info');
      const m: Message = {
        kind: 'digest',
        title: `${rows.length} notification${rows.length === 1 ? '' : 's'} during quiet hours`,
        body: rows.length > DIGEST_ITEMS ? `showing the last ${DIGEST_ITEMS}` : '',
        severity: worst,
        project: null,
        rule: null,
        source: 'notifications',
        key: `digest|${name}|${now}`,
        at: now,
        items: rows.slice(-DIGEST_ITEMS).map((r) => ({ title: r.title, severity: r.severity, at: r.ts, project: r.project })),
      };
      const out: ChannelOutcome = 'missing' in ch ? { channel: name, status: 'unknown', reason: ch.missing } : await this.send(ch, m, signal);
      const giveUp = out.status !== 'sent' && Math.max(...rows.map((r) => r.attempts)) + 1 >= MAX_HELD_ATTEMPTS;
      if (out.status === 'sent' || giveUp) this.d.store.dropHeld(name, last.id);
      else this.d.store.heldAttempt(name);
      if (out.status === 'sent') digests++;
      this.d.store.log({ ts: now, rule: null, source: 'notifications', key: m.key, project: null, severity: worst, title: m.title, outcome: out.status === 'sent' ? 'delivered' : 'failed', delivered: out.status === 'sent' ? name : '', detail: JSON.stringify([{ ...out, kind: 'digest', items: rows.length }]) });
    }
    for (const s of this.d.store.rateSummaries()) {
      const c = this.d.channels.config(s.channel);
      const ch = this.d.channels.get(s.channel);
      if (!c || 'missing' in ch) {
        this.d.store.clearRateSummary(s.channel);
        continue;
      }
      if (!this.d.store.takeToken(s.channel, c.ratePerHour ?? 30, now, null)) continue;
      const m: Message = {
        kind: 'summary',
        title: `${s.suppressed} more notification${s.suppressed === 1 ? '' : 's'} held back by the rate limit`,
        body: `channel "${s.channel}" allows ${c.ratePerHour ?? 30} per hour; since ${new Date(s.since).toISOString()}${s.lastTitle ? `; latest: ${s.lastTitle}` : ''}`,
        severity: 'info',
        project: null,
        rule: null,
        source: 'notifications',
        key: `summary|${s.channel}|${now}`,
        at: now,
      };
      const out = await this.send(ch, m, signal);
      if (out.status === 'sent') {
        this.d.store.clearRateSummary(s.channel);
        summaries++;
      }
      this.d.store.log({ ts: now, rule: null, source: 'notifications', key: m.key, project: null, severity: 'info', title: m.title, outcome: out.status === 'sent' ? 'delivered' : 'failed', delivered: out.status === 'sent' ? s.channel : '', detail: JSON.stringify([{ ...out, kind: 'summary', suppressed: s.suppressed }]) });
    }
    return { digests, summaries };
  }
}
