// The plugin's tables: what was sent or suppressed, dedup keys, rate-limit buckets, held
// notifications (quiet hours), rule state (holds, counters), rule overrides and the event cursor.
import type { Migration, SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import type { NotifySeverity } from './channels/types.js';
import { take, type Bucket } from './rate-limit.js';

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'notifications',
    up: `
      CREATE TABLE notifications__log (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, rule TEXT, source TEXT, key TEXT NOT NULL,
        project TEXT, severity TEXT NOT NULL, title TEXT NOT NULL, outcome TEXT NOT NULL, delivered TEXT NOT NULL, detail TEXT NOT NULL);
      CREATE INDEX notifications__log_ts ON notifications__log (ts);
      CREATE INDEX notifications__log_rule ON notifications__log (rule, ts);
      CREATE TABLE notifications__keys (key TEXT PRIMARY KEY, fired_at INTEGER NOT NULL, suppressed INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE notifications__buckets (channel TEXT PRIMARY KEY, tokens REAL NOT NULL, updated_at INTEGER NOT NULL,
        suppressed INTEGER NOT NULL DEFAULT 0, suppressed_since INTEGER, last_title TEXT);
      CREATE TABLE notifications__held (id INTEGER PRIMARY KEY, channel TEXT NOT NULL, ts INTEGER NOT NULL, severity TEXT NOT NULL,
        title TEXT NOT NULL, project TEXT, rule TEXT, attempts INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX notifications__held_channel ON notifications__held (channel, id);
      CREATE TABLE notifications__overrides (rule TEXT PRIMARY KEY, enabled INTEGER NOT NULL, updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL);
      CREATE TABLE notifications__rule_state (rule TEXT NOT NULL, scope TEXT NOT NULL, pending_since INTEGER, pending_event TEXT,
        firing INTEGER NOT NULL DEFAULT 0, fired INTEGER NOT NULL DEFAULT 0, suppressed INTEGER NOT NULL DEFAULT 0,
        last_fired_at INTEGER, last_suppressed_at INTEGER, last_reason TEXT, eval_errors INTEGER NOT NULL DEFAULT 0, last_error TEXT,
        PRIMARY KEY (rule, scope));
      CREATE TABLE notifications__cursor (name TEXT PRIMARY KEY, seq INTEGER NOT NULL, updated_at INTEGER NOT NULL);`,
    down: `DROP TABLE notifications__log; DROP TABLE notifications__keys; DROP TABLE notifications__buckets; DROP TABLE notifications__held;
      DROP TABLE notifications__overrides; DROP TABLE notifications__rule_state; DROP TABLE notifications__cursor;`,
  },
];

export interface LogRow {
  id: number;
  ts: number;
  rule: string | null;
  source: string | null;
  key: string;
  project: string | null;
  severity: NotifySeverity;
  title: string;
  outcome: string;
  delivered: string;
  detail: string;
}

export interface RuleStateRow {
  rule: string;
  scope: string;
  pending_since: number | null;
  pending_event: string | null;
  firing: number;
  fired: number;
  suppressed: number;
  last_fired_at: number | null;
  last_suppressed_at: number | null;
  last_reason: string | null;
  eval_errors: number;
  last_error: string | null;
}

export interface HeldRow {
  id: number;
  channel: string;
  ts: number;
  severity: NotifySeverity;
  title: string;
  project: string | null;
  rule: string | null;
  attempts: number;
}

interface BucketRow {
  channel: string;
  tokens: number;
  updated_at: number;
  suppressed: number;
  suppressed_since: number | null;
  last_title: string | null;
}

/** All SQL of the plugin, prepared once. Multi-step updates run in transactions (several processes may share the file). */
export class NotificationStore {
  private readonly s: Record<string, SqlStatement>;
  readonly claimKey: (key: string, now: number, cooldownMs: number) => { ok: true } | { ok: false; firedAt: number };
  /** Take a rate-limit token; when denied and `title` is given, count it for the "N more" summary. */
  readonly takeToken: (channel: string, perHour: number, now: number, title: string | null) => boolean;

  constructor(private readonly db: SqlDatabase) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insertLog: p('INSERT INTO notifications__log (ts, rule, source, key, project, severity, title, outcome, delivered, detail) VALUES (?,?,?,?,?,?,?,?,?,?)'),
      recent: p('SELECT * FROM notifications__log WHERE ts >= ? AND (? IS NULL OR rule = ?) AND (? IS NULL OR outcome = ?) ORDER BY id DESC LIMIT ?'),
      getKey: p('SELECT fired_at FROM notifications__keys WHERE key = ?'),
      fireKey: p('INSERT INTO notifications__keys (key, fired_at, suppressed) VALUES (?, ?, 0) ON CONFLICT (key) DO UPDATE SET fired_at = excluded.fired_at, suppressed = 0'),
      suppressKey: p('UPDATE notifications__keys SET suppressed = suppressed + 1 WHERE key = ?'),
      getBucket: p('SELECT * FROM notifications__buckets WHERE channel = ?'),
      putBucket: p(
        'INSERT INTO notifications__buckets (channel, tokens, updated_at) VALUES (?, ?, ?) ON CONFLICT (channel) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at',
      ),
      bucketSuppressed: p('UPDATE notifications__buckets SET suppressed = suppressed + 1, suppressed_since = coalesce(suppressed_since, ?), last_title = ? WHERE channel = ?'),
      pendingSummaries: p('SELECT * FROM notifications__buckets WHERE suppressed > 0'),
      clearSummary: p('UPDATE notifications__buckets SET suppressed = 0, suppressed_since = NULL, last_title = NULL WHERE channel = ?'),
      hold: p('INSERT INTO notifications__held (channel, ts, severity, title, project, rule) VALUES (?,?,?,?,?,?)'),
      heldChannels: p('SELECT DISTINCT channel FROM notifications__held'),
      held: p('SELECT * FROM notifications__held WHERE channel = ? ORDER BY id'),
      heldCount: p('SELECT count(*) AS n FROM notifications__held WHERE channel = ?'),
      dropHeld: p('DELETE FROM notifications__held WHERE channel = ? AND id <= ?'),
      heldAttempt: p('UPDATE notifications__held SET attempts = attempts + 1 WHERE channel = ?'),
      overrides: p('SELECT rule, enabled, updated_at, updated_by FROM notifications__overrides'),
      setOverride: p('INSERT INTO notifications__overrides (rule, enabled, updated_at, updated_by) VALUES (?,?,?,?) ON CONFLICT (rule) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at, updated_by = excluded.updated_by'),
      state: p('SELECT * FROM notifications__rule_state WHERE rule = ? AND scope = ?'),
      states: p('SELECT * FROM notifications__rule_state'),
      pendingStates: p('SELECT * FROM notifications__rule_state WHERE pending_since IS NOT NULL AND firing = 0'),
      ensureState: p('INSERT OR IGNORE INTO notifications__rule_state (rule, scope) VALUES (?, ?)'),
      setPending: p('UPDATE notifications__rule_state SET pending_since = ?, pending_event = ? WHERE rule = ? AND scope = ?'),
      clearPending: p('UPDATE notifications__rule_state SET pending_since = NULL, pending_event = NULL, firing = 0 WHERE rule = ? AND scope = ?'),
      markFiring: p('UPDATE notifications__rule_state SET firing = 1 WHERE rule = ? AND scope = ?'),
      countFired: p('UPDATE notifications__rule_state SET fired = fired + 1, last_fired_at = ? WHERE rule = ? AND scope = ?'),
      countSuppressed: p('UPDATE notifications__rule_state SET suppressed = suppressed + 1, last_suppressed_at = ?, last_reason = ? WHERE rule = ? AND scope = ?'),
      countError: p('UPDATE notifications__rule_state SET eval_errors = eval_errors + 1, last_error = ? WHERE rule = ? AND scope = ?'),
      getCursor: p('SELECT seq FROM notifications__cursor WHERE name = ?'),
      setCursor: p('INSERT INTO notifications__cursor (name, seq, updated_at) VALUES (?,?,?) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at'),
      pruneLog: p('DELETE FROM notifications__log WHERE ts < ?'),
      pruneKeys: p('DELETE FROM notifications__keys WHERE fired_at < ?'),
    };
    this.claimKey = db.transaction((key: string, now: number, cooldownMs: number) => {
      const row = this.s.getKey!.get(key) as { fired_at: number } | undefined;
      // A fired_at in the future (clock went back) counts as "just now".
      if (row && cooldownMs > 0 && now - row.fired_at < cooldownMs) {
        this.s.suppressKey!.run(key);
        return { ok: false as const, firedAt: row.fired_at };
      }
      this.s.fireKey!.run(key, now);
      return { ok: true as const };
    });
    this.takeToken = db.transaction((channel: string, perHour: number, now: number, title: string | null) => {
      const row = this.s.getBucket!.get(channel) as BucketRow | undefined;
      const r = take(row ? { tokens: row.tokens, updatedAt: row.updated_at } : undefined, perHour, now);
      this.s.putBucket!.run(channel, r.bucket.tokens, r.bucket.updatedAt);
      if (!r.allowed && title !== null) this.s.bucketSuppressed!.run(now, title.slice(0, 200), channel);
      return r.allowed;
    });
  }

  log(r: Omit<LogRow, 'id'>): void {
    this.s.insertLog!.run(r.ts, r.rule, r.source, r.key, r.project, r.severity, r.title.slice(0, 300), r.outcome, r.delivered, r.detail);
  }

  recent(since: number, rule: string | null, outcome: string | null, limit: number): LogRow[] {
    return this.s.recent!.all(since, rule, rule, outcome, outcome, limit) as LogRow[];
  }

  bucket(channel: string): Bucket | undefined {
    const row = this.s.getBucket!.get(channel) as BucketRow | undefined;
    return row ? { tokens: row.tokens, updatedAt: row.updated_at } : undefined;
  }

  rateSummaries(): { channel: string; suppressed: number; since: number; lastTitle: string | null }[] {
    return (this.s.pendingSummaries!.all() as BucketRow[]).map((r) => ({ channel: r.channel, suppressed: r.suppressed, since: r.suppressed_since ?? r.updated_at, lastTitle: r.last_title }));
  }

  clearRateSummary(channel: string): void {
    this.s.clearSummary!.run(channel);
  }

  hold(channel: string, ts: number, severity: NotifySeverity, title: string, project: string | null, rule: string | null): void {
    this.s.hold!.run(channel, ts, severity, title.slice(0, 300), project, rule);
  }

  heldChannels(): string[] {
    return (this.s.heldChannels!.all() as { channel: string }[]).map((r) => r.channel);
  }

  held(channel: string): HeldRow[] {
    return this.s.held!.all(channel) as HeldRow[];
  }

  heldCount(channel: string): number {
    return (this.s.heldCount!.get(channel) as { n: number }).n;
  }

  dropHeld(channel: string, upToId: number): void {
    this.s.dropHeld!.run(channel, upToId);
  }

  heldAttempt(channel: string): void {
    this.s.heldAttempt!.run(channel);
  }

  overrides(): Map<string, { enabled: boolean; updatedAt: number; updatedBy: string }> {
    const rows = this.s.overrides!.all() as { rule: string; enabled: number; updated_at: number; updated_by: string }[];
    return new Map(rows.map((r) => [r.rule, { enabled: r.enabled === 1, updatedAt: r.updated_at, updatedBy: r.updated_by }]));
  }

  setOverride(rule: string, enabled: boolean, now: number, by: string): void {
    this.s.setOverride!.run(rule, enabled ? 1 : 0, now, by);
  }

  state(rule: string, scope: string): RuleStateRow {
    this.s.ensureState!.run(rule, scope);
    return this.s.state!.get(rule, scope) as RuleStateRow;
  }

  states(): RuleStateRow[] {
    return this.s.states!.all() as RuleStateRow[];
  }

  pendingStates(): RuleStateRow[] {
    return this.s.pendingStates!.all() as RuleStateRow[];
  }

  setPending(rule: string, scope: string, since: number, eventId: string | null): void {
    this.s.setPending!.run(since, eventId, rule, scope);
  }

  clearPending(rule: string, scope: string): void {
    this.s.clearPending!.run(rule, scope);
  }

  markFiring(rule: string, scope: string): void {
    this.s.markFiring!.run(rule, scope);
  }

  countFired(rule: string, scope: string, now: number): void {
    this.s.ensureState!.run(rule, scope);
    this.s.countFired!.run(now, rule, scope);
  }

  countSuppressed(rule: string, scope: string, now: number, reason: string): void {
    this.s.ensureState!.run(rule, scope);
    this.s.countSuppressed!.run(now, reason.slice(0, 300), rule, scope);
  }

  countError(rule: string, scope: string, error: string): void {
    this.s.ensureState!.run(rule, scope);
    this.s.countError!.run(error.slice(0, 300), rule, scope);
  }

  cursor(name: string): number | undefined {
    return (this.s.getCursor!.get(name) as { seq: number } | undefined)?.seq;
  }

  setCursor(name: string, seq: number, now: number): void {
    this.s.setCursor!.run(name, seq, now);
  }

  prune(logBefore: number, keysBefore: number): void {
    this.s.pruneLog!.run(logBefore);
    this.s.pruneKeys!.run(keysBefore);
  }
}
