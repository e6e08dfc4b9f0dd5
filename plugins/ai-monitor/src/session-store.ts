import type { SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import type { SessionState, UnitLedger } from './aggregate.js';
import type { FileContext, Usage } from './parsers/types.js';

/** A transcript file's read position and the parser state carried between reads. */
export interface FileRow {
  path: string;
  tool: string;
  ino: string;
  size: number;
  mtimeMs: number;
  offset: number;
  context: FileContext & { skipping?: boolean };
  badRecords: number;
}

/** A stored session with its emission bookkeeping. */
export interface StoredSession extends SessionState {
  project: string | null;
  endedReason: string | null;
  dirty: boolean;
  emittedAt: number | null;
  updatedAt: number;
}

interface SessionRow {
  session_key: string;
  tool: string;
  session_id: string;
  cwd: string | null;
  project_hash: string | null;
  project: string | null;
  branch: string | null;
  models: string;
  started_at: number | null;
  last_at: number | null;
  active_ms: number;
  prompts: number;
  tool_calls: string;
  tool_calls_total: number;
  tokens_in: number;
  tokens_out: number;
  tokens_cached: number;
  transcript_ended: number;
  ended_reason: string | null;
  dirty: number;
  emitted_at: number | null;
  updated_at: number;
}

const UNIT_BATCH = 64;
const LEDGER_CACHE = 64;

function unitInsert(table: string, rows: number): string {
  // A later copy of a row (a response whose usage grew) replaces the earlier one in the same batch.
  return `INSERT INTO ${table} (session_key, unit, input, output, cached) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ')}
    ON CONFLICT (session_key, unit) DO UPDATE SET input = excluded.input, output = excluded.output, cached = excluded.cached`;
}

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function sessionFromRow(r: SessionRow): StoredSession {
  return {
    key: r.session_key,
    tool: r.tool,
    sessionId: r.session_id,
    cwd: r.cwd,
    projectHash: r.project_hash,
    project: r.project,
    branch: r.branch,
    models: parseJson(r.models, {}),
    startedAt: r.started_at,
    lastAt: r.last_at,
    activeMs: r.active_ms,
    prompts: r.prompts,
    toolCalls: parseJson(r.tool_calls, {}),
    toolCallsTotal: r.tool_calls_total,
    tokens: { input: r.tokens_in, output: r.tokens_out, cached: r.tokens_cached },
    transcriptEnded: r.transcript_ended === 1,
    endedReason: r.ended_reason,
    dirty: r.dirty === 1,
    emittedAt: r.emitted_at,
    updatedAt: r.updated_at,
  };
}

/**
 * The plugin's transcript tables: read positions (`files`), per-session totals (`sessions`) and
 * the ids already counted (`units`). Plain SQL over the shared connection; no kernel imports.
 */
export class SessionStore {
  private readonly s: Record<string, SqlStatement>;
  /** Counted ids of recently touched sessions (this process is the only writer while it holds the lease). */
  private readonly ledgers = new Map<string, Map<string, Usage>>();
  private unsaved: [string, string, Usage][] = [];

  constructor(
    private readonly db: SqlDatabase,
    private readonly prefix: string,
  ) {
    const t = (name: string) => `${prefix}${name}`;
    this.s = {
      fileGet: db.prepare(`SELECT * FROM ${t('files')} WHERE path = ?`),
      filePut: db.prepare(
        `INSERT INTO ${t('files')} (path, tool, ino, size, mtime_ms, read_offset, context, bad_records, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (path) DO UPDATE SET tool = excluded.tool, ino = excluded.ino, size = excluded.size, mtime_ms = excluded.mtime_ms,
           read_offset = excluded.read_offset, context = excluded.context, bad_records = excluded.bad_records, updated_at = excluded.updated_at`,
      ),
      fileDelete: db.prepare(`DELETE FROM ${t('files')} WHERE path = ?`),
      sessionGet: db.prepare(`SELECT * FROM ${t('sessions')} WHERE session_key = ?`),
      sessionPut: db.prepare(
        `INSERT INTO ${t('sessions')} (session_key, tool, session_id, cwd, project_hash, project, branch, models, started_at, last_at, active_ms, prompts,
           tool_calls, tool_calls_total, tokens_in, tokens_out, tokens_cached, transcript_ended, dirty, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
         ON CONFLICT (session_key) DO UPDATE SET cwd = excluded.cwd, project_hash = excluded.project_hash, project = excluded.project,
           branch = excluded.branch, models = excluded.models, started_at = excluded.started_at, last_at = excluded.last_at,
           active_ms = excluded.active_ms, prompts = excluded.prompts, tool_calls = excluded.tool_calls, tool_calls_total = excluded.tool_calls_total,
           tokens_in = excluded.tokens_in, tokens_out = excluded.tokens_out, tokens_cached = excluded.tokens_cached,
           transcript_ended = excluded.transcript_ended, dirty = 1, updated_at = excluded.updated_at`,
      ),
      pending: db.prepare(`SELECT * FROM ${t('sessions')} WHERE ended_reason IS NULL OR dirty = 1`),
      markEmitted: db.prepare(`UPDATE ${t('sessions')} SET dirty = 0, emitted_at = ?, ended_reason = ? WHERE session_key = ? AND updated_at = ?`),
      unitsOf: db.prepare(`SELECT unit, input, output, cached FROM ${t('units')} WHERE session_key = ?`),
      unitPut: db.prepare(unitInsert(t('units'), 1)),
      unitPutMany: db.prepare(unitInsert(t('units'), UNIT_BATCH)),
      overlap: db.prepare(`SELECT * FROM ${t('sessions')} WHERE last_at >= ? AND started_at <= ?`),
      since: db.prepare(`SELECT * FROM ${t('sessions')} WHERE last_at >= ? ORDER BY last_at DESC LIMIT ?`),
      pruneUnits: db.prepare(`DELETE FROM ${t('units')} WHERE session_key IN (SELECT session_key FROM ${t('sessions')} WHERE last_at < ? AND ended_reason IS NOT NULL)`),
    };
  }

  /** Run `fn` in one transaction, saving the units it counted; on failure the caches are dropped. */
  transaction<T>(fn: () => T): T {
    try {
      return this.db.transaction(() => {
        const r = fn();
        this.saveUnits();
        return r;
      })() as T;
    } catch (e) {
      this.ledgers.clear();
      this.unsaved = [];
      throw e;
    }
  }

  file(path: string): FileRow | undefined {
    const r = this.s.fileGet!.get(path) as
      | { path: string; tool: string; ino: string; size: number; mtime_ms: number; read_offset: number; context: string; bad_records: number }
      | undefined;
    if (!r) return undefined;
    return { path: r.path, tool: r.tool, ino: r.ino, size: r.size, mtimeMs: r.mtime_ms, offset: r.read_offset, context: parseJson(r.context, {}), badRecords: r.bad_records };
  }

  putFile(f: FileRow, now: number): void {
    this.s.filePut!.run(f.path, f.tool, f.ino, f.size, Math.floor(f.mtimeMs), f.offset, JSON.stringify(f.context), f.badRecords, now);
  }

  deleteFile(path: string): void {
    this.s.fileDelete!.run(path);
  }

  session(key: string): StoredSession | undefined {
    const r = this.s.sessionGet!.get(key) as SessionRow | undefined;
    return r && sessionFromRow(r);
  }

  /** Save a session's totals and mark it for emission. */
  putSession(x: SessionState, project: string | null, now: number): void {
    this.s.sessionPut!.run(
      x.key, x.tool, x.sessionId, x.cwd, x.projectHash, project, x.branch, JSON.stringify(x.models), x.startedAt, x.lastAt, x.activeMs, x.prompts,
      JSON.stringify(x.toolCalls), x.toolCallsTotal, x.tokens.input, x.tokens.output, x.tokens.cached, x.transcriptEnded ? 1 : 0, now,
    );
  }

  /** Sessions still open, or changed since their last event. */
  pending(): StoredSession[] {
    return (this.s.pending!.all() as SessionRow[]).map(sessionFromRow);
  }

  /** Record an emitted event, unless the session changed meanwhile (then it stays pending). */
  markEmitted(key: string, updatedAt: number, now: number, endedReason: string | null): void {
    this.s.markEmitted!.run(now, endedReason, key, updatedAt);
  }

  /** The ids counted for a session (loaded once, then kept for the most recently used sessions). */
  ledger(sessionKey: string): UnitLedger {
    let map = this.ledgers.get(sessionKey);
    if (map) this.ledgers.delete(sessionKey);
    else {
      map = new Map();
      for (const r of this.s.unitsOf!.iterate(sessionKey) as Iterable<{ unit: string } & Usage>) map.set(r.unit, { input: r.input, output: r.output, cached: r.cached });
      if (this.ledgers.size >= LEDGER_CACHE) this.ledgers.delete(this.ledgers.keys().next().value!);
    }
    this.ledgers.set(sessionKey, map);
    const units = map;
    return {
      get: (unit) => units.get(unit),
      put: (unit, u) => {
        units.set(unit, u);
        this.unsaved.push([sessionKey, unit, u]);
      },
    };
  }

  /** Forget cached ledgers (another process may have written while this one did not hold the lease). */
  resetCaches(): void {
    this.ledgers.clear();
    this.unsaved = [];
  }

  private saveUnits(): void {
    const rows = this.unsaved;
    this.unsaved = [];
    let i = 0;
    for (; i + UNIT_BATCH <= rows.length; i += UNIT_BATCH) {
      const args: unknown[] = [];
      for (let j = i; j < i + UNIT_BATCH; j++) {
        const [k, unit, u] = rows[j]!;
        args.push(k, unit, u.input, u.output, u.cached);
      }
      this.s.unitPutMany!.run(...args);
    }
    for (; i < rows.length; i++) {
      const [k, unit, u] = rows[i]!;
      this.s.unitPut!.run(k, unit, u.input, u.output, u.cached);
    }
  }

  /** Sessions with activity in [from, to]. */
  overlapping(from: number, to: number): StoredSession[] {
    return (this.s.overlap!.all(from, to) as SessionRow[]).map(sessionFromRow);
  }

  /** Sessions active since `since`, newest first. */
  activeSince(since: number, limit: number): StoredSession[] {
    return (this.s.since!.all(since, limit) as SessionRow[]).map(sessionFromRow);
  }

  /** Forget counted ids of ended sessions idle since before `before` (their files are no longer read). */
  pruneUnits(before: number): number {
    this.ledgers.clear();
    return this.s.pruneUnits!.run(before).changes;
  }
}
