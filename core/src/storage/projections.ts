import type { EmitOptions, ProjectionDefinition, ProjectionHandle, ProjectionStatus, StoredEvent } from '@devflow/plugin-sdk';
import type Database from 'better-sqlite3';
import { PluginError, messageOf } from '../errors.js';
import { toEvent, type EventRow } from './event-reader.js';
import { typeMatcher } from './type-matcher.js';

type Db = Database.Database;
type Emit = (type: string, data: Record<string, unknown>, options?: EmitOptions) => void;

/**
 * Log positions (seq) one catch-up transaction covers. Only rows of the projection's types are read
 * and parsed (by the `(type, …)` filter on a primary-key range), so a projection over rare types
 * skips a million unrelated events quickly, and each transaction stays short enough that live
 * writers never wait long.
 */
const SPAN = 5000;
/** A live batch that finds more than this many unfolded events before it hands over to catch-up. */
const MAX_GAP = 2000;
const NAME_RE = /^[a-z][a-z0-9-]*$/;

interface Entry {
  plugin: string;
  def: ProjectionDefinition;
  /** Its types in SQL, for reading only matching rows while catching up. */
  span: Database.Statement;
  matches: (type: string) => boolean;
  emit: Emit;
  state: ProjectionStatus['state'];
  rebuilding: boolean;
  error?: string;
  derived: [string, Record<string, unknown>, EmitOptions | undefined][];
  disposed: boolean;
  ready: Promise<void>;
  settle: () => void;
  /** The cursor this process's last fold committed (undefined: none yet, or reset since). */
  committed?: number;
  /** The cursor of a fold whose transaction has not been seen to commit yet. */
  uncommitted?: number;
}

/**
 * Projections: plugin folds of the event log, applied inside the transaction that appends a batch
 * (so a rollup can never disagree with the log) and caught up from a cursor kept in the
 * `projections` table. The cursor lives in the database, not in memory, because several processes
 * share the file: whichever process writes a batch folds everything up to it.
 */
export class Projections {
  private readonly entries = new Map<string, Entry>();
  private readonly getCursor: Database.Statement;
  private readonly allCursors: Database.Statement;
  private readonly setCursor: Database.Statement;
  private readonly range: Database.Statement;
  private readonly head: Database.Statement;

  constructor(
    private readonly db: Db,
    private readonly report: (err: PluginError) => void,
    /** Catching up waits for this (`devflow mcp` answers the client's first requests before). */
    private readonly gate: Promise<unknown> = Promise.resolve(),
  ) {
    this.getCursor = db.prepare('SELECT version, cursor FROM projections WHERE plugin = ? AND name = ?');
    this.allCursors = db.prepare('SELECT plugin, name, cursor FROM projections');
    this.setCursor = db.prepare(
      'INSERT INTO projections (plugin, name, version, cursor, updated_at) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (plugin, name) DO UPDATE SET version = excluded.version, cursor = excluded.cursor, updated_at = excluded.updated_at',
    );
    this.range = db.prepare('SELECT * FROM events WHERE seq > ? AND seq < ? ORDER BY seq LIMIT ?');
    this.head = db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM events');
  }

  register(plugin: string, def: ProjectionDefinition, emit: Emit): ProjectionHandle {
    const key = `${plugin}/${def.name}`;
    const invalid = (detail: string) => new PluginError('KRN_ERR_PROJECTION_INVALID', { plugin, phase: 'start', detail: `projection "${def.name}": ${detail}` });
    if (!NAME_RE.test(String(def.name))) throw invalid('name must be kebab-case');
    if (!Number.isInteger(def.version) || def.version < 1) throw invalid('version must be an integer >= 1');
    if (!Array.isArray(def.types) || def.types.length === 0) throw invalid('types must list at least one event type, prefix (a.*) or *');
    if (typeof def.apply !== 'function' || typeof def.reset !== 'function') throw invalid('apply and reset must be functions');
    if (this.entries.has(key)) throw invalid('registered twice; names are unique per plugin');
    const span = this.db.prepare(`SELECT * FROM events WHERE seq > ? AND seq <= ?${typeFilter(def.types)} ORDER BY seq`);
    const entry = { plugin, def, span, matches: typeMatcher(def.types), emit, state: 'catching-up', rebuilding: false, derived: [], disposed: false } as unknown as Entry;
    this.entries.set(key, entry);
    const row = this.getCursor.get(plugin, def.name) as { version: number; cursor: number } | undefined;
    if (!row || row.version !== def.version) this.reset(entry, !!row);
    else this.catchUp(entry);
    return {
      get ready() {
        return entry.ready;
      },
      rebuild: () => {
        if (entry.disposed) return Promise.resolve();
        this.reset(entry, true);
        return entry.ready;
      },
      status: () => this.status(entry, (this.head.get() as { seq: number }).seq, this.cursorOf(entry)),
      dispose: () => {
        entry.disposed = true;
        entry.settle();
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    };
  }

  /** Fold a batch the event writer is storing. Runs inside the writer's transaction. */
  applyInTransaction(batch: readonly StoredEvent[]): void {
    if (!batch.length || !this.entries.size) return;
    const first = (batch[0] as StoredEvent).seq;
    for (const entry of this.entries.values()) {
      if (entry.state !== 'live') continue;
      const cursor = this.cursorOf(entry);
      let events: readonly StoredEvent[] = batch;
      if (cursor < first - 1) {
        // Another process stored events without folding them (it runs without this plugin).
        const gap = this.range.all(cursor, first, MAX_GAP + 1) as EventRow[];
        if (gap.length > MAX_GAP) {
          this.catchUp(entry);
          continue;
        }
        events = [...gap.map(toEvent), ...batch];
      } else if (cursor >= first) events = batch.filter((e) => e.seq > cursor);
      this.fold(entry, events, cursor, (events.at(-1) ?? batch.at(-1))!.seq);
    }
  }

  /** The transaction of the latest folds committed: emit their derived events. */
  afterCommit(): void {
    for (const entry of this.entries.values()) {
      if (entry.uncommitted !== undefined) [entry.committed, entry.uncommitted] = [entry.uncommitted, undefined];
      if (!entry.derived.length) continue;
      const derived = entry.derived;
      entry.derived = [];
      if (entry.disposed) continue;
      for (const [type, data, options] of derived) {
        try {
          entry.emit(type, data, options);
        } catch (e) {
          this.report(new PluginError('KRN_ERR_PROJECTION_FAILED', { plugin: entry.plugin, phase: 'projection', cause: e, detail: `projection "${entry.def.name}" emitted ${type}: ${messageOf(e)}` }));
        }
      }
    }
  }

  /** Resolves once every registered projection has caught up with the log (or failed). */
  async ready(): Promise<void> {
    for (let pending = [...this.entries.values()]; pending.length; pending = [...this.entries.values()].filter((e) => e.state === 'catching-up')) {
      await Promise.all(pending.map((e) => e.ready));
    }
  }

  /** Every projection with its lag behind `head` (default: the log's last seq); one query whatever their number (status is polled). */
  list(head = (this.head.get() as { seq: number }).seq): (ProjectionStatus & { plugin: string })[] {
    if (!this.entries.size) return [];
    const cursors = new Map((this.allCursors.all() as { plugin: string; name: string; cursor: number }[]).map((r) => [`${r.plugin}\0${r.name}`, r.cursor]));
    return [...this.entries.values()].map((e) => ({ plugin: e.plugin, ...this.status(e, head, cursors.get(`${e.plugin}\0${e.def.name}`) ?? 0) }));
  }

  private status(entry: Entry, head: number, cursor: number): ProjectionStatus {
    const lag = Math.max(0, head - cursor);
    const s = { name: entry.def.name, version: entry.def.version, cursor, lag, state: entry.state };
    return entry.error ? { ...s, error: entry.error } : s;
  }

  private cursorOf(entry: Entry): number {
    return (this.getCursor.get(entry.plugin, entry.def.name) as { cursor: number } | undefined)?.cursor ?? 0;
  }

  /** Fold events (already read) in a savepoint; on failure the projection stops, the batch stays. */
  private fold(entry: Entry, events: readonly StoredEvent[], from: number, upTo: number): boolean {
    const matching = events.filter((e) => entry.matches(e.type));
    const queued = entry.derived.length;
    // Caches a projection keeps between batches are good only if its previous fold was this
    // process's, committed, and nobody folded since (the stored cursor is where that fold left it).
    const continues = entry.uncommitted === undefined && entry.committed === from;
    entry.uncommitted = undefined;
    const tx = {
      db: this.db as never,
      continues,
      rebuilding: entry.rebuilding,
      catchingUp: entry.state === 'catching-up',
      emit: (type: string, data: Record<string, unknown>, options?: EmitOptions) => {
        if (!entry.rebuilding) entry.derived.push([type, data, options]);
      },
    };
    try {
      this.db.transaction(() => {
        if (matching.length) entry.def.apply(matching, tx);
        this.setCursor.run(entry.plugin, entry.def.name, entry.def.version, upTo, Date.now());
      })();
      entry.uncommitted = upTo;
      return true;
    } catch (e) {
      entry.derived.length = queued;
      entry.committed = undefined;
      entry.state = 'failed';
      entry.error = messageOf(e);
      this.report(
        new PluginError('KRN_ERR_PROJECTION_FAILED', {
          plugin: entry.plugin,
          phase: 'projection',
          cause: e,
          detail: `projection "${entry.def.name}" failed on events after seq ${this.cursorOf(entry)}: ${entry.error}; it stops here (events are kept) until the plugin restarts or the projection is rebuilt`,
        }),
      );
      entry.settle();
      return false;
    }
  }

  private reset(entry: Entry, rebuilding: boolean): void {
    entry.committed = entry.uncommitted = undefined;
    this.db.transaction(() => {
      entry.def.reset(this.db as never);
      this.setCursor.run(entry.plugin, entry.def.name, entry.def.version, 0, Date.now());
    })();
    entry.rebuilding = rebuilding;
    entry.error = undefined;
    this.catchUp(entry);
  }

  /** Fold the log from the cursor in chunks, one transaction each, yielding between them. */
  private catchUp(entry: Entry): void {
    entry.state = 'catching-up';
    entry.ready = new Promise<void>((resolve) => (entry.settle = resolve));
    const step = () => {
      if (entry.disposed || entry.state !== 'catching-up') return entry.settle();
      let done = false;
      try {
        this.db.transaction(() => {
          const from = this.cursorOf(entry);
          const head = (this.head.get() as { seq: number }).seq;
          const upTo = Math.min(head, from + SPAN);
          const rows = upTo > from ? (entry.span.all(from, upTo) as EventRow[]) : [];
          done = upTo >= head;
          if (upTo > from && !this.fold(entry, rows.map(toEvent), from, upTo)) done = false;
          if (done) {
            entry.state = 'live';
            entry.rebuilding = false;
          }
        }).immediate();
      } catch (e) {
        this.report(new PluginError('KRN_ERR_STORAGE', { plugin: entry.plugin, phase: 'projection', cause: e, detail: `projection "${entry.def.name}" could not read the log: ${messageOf(e)}; retrying` }));
        setTimeout(step, 1000).unref();
        return;
      }
      this.afterCommit();
      if ((entry.state as ProjectionStatus['state']) !== 'catching-up') entry.settle();
      else setImmediate(step);
    };
    void this.gate.then(() => setImmediate(step), () => setImmediate(step));
  }
}

/** `AND (…)` selecting the given types (exact, `a.*` prefixes as ranges, `*`) for a WHERE clause. */
function typeFilter(types: readonly string[]): string {
  if (types.includes('*')) return '';
  const q = (v: string) => `'${v.replace(/'/g, "''")}'`;
  // `+type`: the seq range (the primary key) must drive the scan, not an index on type
  const parts = types.map((t) => (t.endsWith('.*') ? `(+type >= ${q(t.slice(0, -1))} AND +type < ${q(`${t.slice(0, -2)}/`)})` : `+type = ${q(t)}`));
  return ` AND (${parts.join(' OR ')})`;
}
