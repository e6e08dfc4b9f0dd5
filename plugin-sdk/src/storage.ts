import type { EventLogReader } from './events.js';
import type { ProjectionDefinition, ProjectionHandle } from './projections.js';

/**
 * The result of running a write statement.
 *
 * @example
 * ```ts
 * const { changes } = db.prepare('DELETE FROM churn__files WHERE ts < ?').run(cutoff);
 * ```
 */
export interface SqlRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/**
 * A prepared statement (the subset of better-sqlite3's `Statement` plugins may rely on).
 *
 * @example
 * ```ts
 * const top = db.prepare('SELECT path, n FROM churn__files ORDER BY n DESC LIMIT ?').all(10);
 * ```
 */
export interface SqlStatement {
  run(...params: unknown[]): SqlRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

/**
 * The database connection (the subset of better-sqlite3's `Database` plugins may rely on).
 * Synchronous: keep statements short, and wrap many writes in `transaction`.
 *
 * @example
 * ```ts
 * const insertAll = db.transaction((rows: Row[]) => { for (const r of rows) insert.run(r); });
 * ```
 */
export interface SqlDatabase {
  prepare(sql: string): SqlStatement;
  exec(sql: string): unknown;
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
}

/**
 * A versioned schema change for a plugin's own tables. Table and index names must start with the
 * plugin's prefix (its id with `-` turned into `_`, then `__`: `git-monitor` → `git_monitor__`; the double
 * underscore keeps plugin `git` out of `git-monitor`'s tables).
 * Each migration runs in its own transaction and is recorded in the kernel's migrations ledger.
 *
 * @example
 * ```ts
 * const m: Migration = {
 *   version: 1, name: 'files',
 *   up: 'CREATE TABLE churn__files (path TEXT PRIMARY KEY, n INTEGER NOT NULL)',
 *   down: 'DROP TABLE churn__files',
 * };
 * ```
 */
export interface Migration {
  version: number;
  name: string;
  up: string | ((db: SqlDatabase) => void);
  down?: string | ((db: SqlDatabase) => void);
}

/**
 * Storage for one plugin: the shared SQLite connection (its own tables, already migrated before
 * `start`), read access to the event log, and a private data directory.
 *
 * @example
 * ```ts
 * const n = ctx.storage.db.prepare(`SELECT count(*) AS n FROM ${ctx.storage.prefix}files`).get();
 * ```
 */
export interface PluginStorage {
  readonly db: SqlDatabase;
  /** Prefix for this plugin's tables, e.g. `git_monitor__`. */
  readonly prefix: string;
  readonly events: EventLogReader;
  /** A directory only this plugin writes to (created on first use). */
  readonly dataDir: string;
  /**
   * Register a projection: a fold of the event log into this plugin's tables, applied in the
   * ingest transaction and caught up from a persisted cursor. See {@link ProjectionDefinition}.
   */
  projection(definition: ProjectionDefinition): ProjectionHandle;
}
