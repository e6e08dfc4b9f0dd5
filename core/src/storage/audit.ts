import type Database from 'better-sqlite3';

type Db = Database.Database;

export interface AuditEntry {
  principal: string;
  role?: string | undefined;
  /** What was attempted: `tool:call`, `plugin:enable`, `rbac:deny`, … */
  action: string;
  target?: string | undefined;
  outcome: 'ok' | 'error' | 'denied' | 'vetoed';
  durationMs?: number | undefined;
  /** Never arguments' secrets: codes, counts and names only. */
  detail?: Record<string, unknown> | undefined;
}

export interface AuditRecord extends AuditEntry {
  seq: number;
  ts: number;
}

export interface AuditQuery {
  principal?: string;
  action?: string;
  outcome?: AuditEntry['outcome'];
  since?: number;
  after?: number;
  limit?: number;
}

/** Routine tool calls are written at most this long after they happened, many per transaction. */
const ROUTINE_FLUSH_MS = 50;

/**
 * The security audit log: denials, admin actions and tool calls. Append-only. Denials and admin
 * actions are written at the end of the current turn of the event loop; routine tool calls (an
 * assistant may make hundreds a minute) within ROUTINE_FLUSH_MS, many per transaction, so a call
 * does not pay for a commit of its own. Reading, and closing, write what is pending first.
 */
export class AuditLog {
  private readonly insert: Database.Statement;
  private pending: unknown[][] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly writeAll: (rows: unknown[][]) => void;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      'INSERT INTO audit_log (ts, principal, role, action, target, outcome, duration_ms, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.writeAll = db.transaction((rows: unknown[][]) => {
      for (const r of rows) this.insert.run(...r);
    });
  }

  record(entry: AuditEntry): void {
    this.pending.push([
      Date.now(),
      entry.principal,
      entry.role ?? null,
      entry.action,
      entry.target ?? null,
      entry.outcome,
      entry.durationMs ?? null,
      entry.detail ? JSON.stringify(entry.detail) : null,
    ]);
    if (entry.action !== 'tool:call' || entry.outcome === 'denied') this.scheduled ??= setImmediate(() => this.flush());
    else if (!this.timer) (this.timer = setTimeout(() => this.flush(), ROUTINE_FLUSH_MS)).unref();
  }

  /** Write pending entries now. */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    clearTimeout(this.timer);
    this.scheduled = undefined;
    this.timer = undefined;
    if (!this.pending.length || !this.db.open) return;
    const rows = this.pending;
    this.pending = [];
    this.writeAll(rows);
  }

  query(q: AuditQuery = {}): AuditRecord[] {
    this.flush();
    const parts: string[] = [];
    const params: unknown[] = [];
    for (const [col, val] of [['principal', q.principal], ['action', q.action], ['outcome', q.outcome]] as const) {
      if (val !== undefined) (parts.push(`${col} = ?`), params.push(val));
    }
    if (q.since !== undefined) (parts.push('ts >= ?'), params.push(q.since));
    if (q.after !== undefined) (parts.push('seq < ?'), params.push(q.after));
    const limit = Math.max(1, Math.min(1000, q.limit ?? 100));
    const rows = this.db
      .prepare(`SELECT * FROM audit_log ${parts.length ? `WHERE ${parts.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`)
      .all(...params, limit) as Record<string, unknown>[];
    return rows.map((r) => ({
      seq: r.seq as number,
      ts: r.ts as number,
      principal: r.principal as string,
      role: (r.role as string | null) ?? undefined,
      action: r.action as string,
      target: (r.target as string | null) ?? undefined,
      outcome: r.outcome as AuditEntry['outcome'],
      durationMs: (r.duration_ms as number | null) ?? undefined,
      detail: r.detail ? (JSON.parse(r.detail as string) as Record<string, unknown>) : undefined,
    }));
  }
}
