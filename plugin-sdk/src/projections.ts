import type { Disposable } from './lifecycle.js';
import type { EmitOptions, EventData, StoredEvent } from './events.js';
import type { SqlDatabase } from './storage.js';

/**
 * What a projection's `apply` gets besides the events: the database (inside the write
 * transaction) and a way to emit derived events once the transaction committed.
 *
 * @example
 * ```ts
 * apply(events, tx) {
 *   for (const e of events) if (stageChanged(e)) tx.emit('stage-analyzer.stage.changed', { stage: 'coding' });
 * }
 * ```
 */
export interface ProjectionTx {
  /** The shared connection; every statement runs inside the transaction that stores the batch. */
  readonly db: SqlDatabase;
  /**
   * True while the projection is rebuilt from the whole log (after `rebuild()` or a version
   * bump). Derived events emitted then are dropped by the kernel: they were emitted the first time.
   */
  readonly rebuilding: boolean;
  /** True while catching up on events stored before the projection was (re)started. */
  readonly catchingUp: boolean;
  /**
   * True when the fold before this one was made by this process and committed, and nothing folded
   * since: state the projection kept in memory from earlier batches (ids, the open hour's totals, a
   * project's latest session…) still matches its tables. False for the first batch, after a
   * rollback, a reset, or another process folding in between: drop such caches and read again.
   * Caches are an optimisation only; answers must come from the tables.
   *
   * @example
   * ```ts
   * apply(events, tx) {
   *   if (!tx.continues) projectIds.clear();
   *   for (const e of events) upsert(projectIds.get(e.project) ?? lookUp(e.project), e);
   * }
   * ```
   */
  readonly continues: boolean;
  /**
   * Queue a derived event in the plugin's namespace; it is emitted after the transaction commits
   * (never when it rolls back), and not at all while rebuilding.
   */
  emit<T extends string>(type: T, data: EventData<T>, options?: EmitOptions): void;
}

/**
 * A projection: a deterministic fold of the event log into a plugin's own tables. The kernel runs
 * `apply` for every stored event whose type matches, in `seq` order, **inside the same transaction
 * that appends the events** (live), and from a persisted cursor over the log when the plugin
 * starts after being off (catch-up) or is rebuilt. Live and after-the-fact results are therefore the
 * same by construction. Keep all state in tables: several processes may share the database, and
 * whichever writes a batch applies it.
 *
 * If `apply` throws, only the projection's own writes for that batch are rolled back (a
 * savepoint), the events are still stored, and the projection stops advancing until it is
 * restarted or rebuilt; the error is logged against the plugin and shown in status.
 *
 * @example
 * ```ts
 * ctx.storage.projection({
 *   name: 'commits-per-day', version: 1, types: ['git-monitor.commit.created'],
 *   reset: (db) => db.exec('DELETE FROM churn__daily'),
 *   apply(events, { db }) {
 *     const up = db.prepare('INSERT INTO churn__daily (day, n) VALUES (?, 1) ON CONFLICT (day) DO UPDATE SET n = n + 1');
 *     for (const e of events) up.run(Math.floor(e.ts / 864e5));
 *   },
 * });
 * ```
 */
export interface ProjectionDefinition {
  /** Unique within the plugin, kebab-case. */
  name: string;
  /** Bump when `apply` changes meaning: the kernel then resets and rebuilds from the whole log. */
  version: number;
  /** Event types folded: exact types, prefixes ending in `.*`, or `*`. */
  types: readonly string[];
  /** Empty the projection's tables (called before a rebuild, inside its transaction). */
  reset(db: SqlDatabase): void;
  /** Fold events (in `seq` order, already filtered by `types`). Synchronous: it runs in a transaction. */
  apply(events: readonly StoredEvent[], tx: ProjectionTx): void;
}

/**
 * Where a projection stands.
 *
 * @example
 * ```ts
 * const s = handle.status();
 * if (s.lag > 0) ctx.logger.info(`still ${s.lag} events behind`);
 * ```
 */
export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  /** `seq` of the last event folded. */
  readonly cursor: number;
  /** Stored events not folded yet (0 when live). */
  readonly lag: number;
  readonly state: 'catching-up' | 'live' | 'failed';
  readonly error?: string;
}

/**
 * A registered projection. Disposed with the plugin.
 *
 * @example
 * ```ts
 * const h = ctx.storage.projection(def);
 * await h.ready;            // caught up with the log
 * await h.rebuild();        // reset and fold the whole log again
 * ```
 */
export interface ProjectionHandle extends Disposable {
  /** Resolves once the projection has caught up with the log and applies new events live. */
  readonly ready: Promise<void>;
  /** Reset the tables and fold the whole log again; resolves when caught up. */
  rebuild(): Promise<void>;
  status(): ProjectionStatus;
}
