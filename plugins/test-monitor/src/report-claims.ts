import type { Migration, SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';

// Every table and index starts with the plugin's prefix: `test_monitor__`.
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'reports',
    up: `CREATE TABLE test_monitor__reports (
           path TEXT PRIMARY KEY,
           hash TEXT NOT NULL,
           format TEXT,
           seen_at INTEGER NOT NULL
         ) WITHOUT ROWID`,
    down: 'DROP TABLE test_monitor__reports',
  },
];

/**
 * The content hash last recorded for each report file, in the shared database, so a report is
 * recorded once per content change however many processes see it (the lease holder's watcher and
 * `devflow run`'s look after the command).
 *
 * @example
 * ```ts
 * const claims = new ReportClaims(ctx.storage.db, `${ctx.storage.prefix}reports`);
 * if (claims.claim('/app/junit.xml', hash, 'junit', Date.now())) emitReportEvent();
 * ```
 */
export class ReportClaims {
  private readonly upsert: SqlStatement;

  constructor(db: SqlDatabase, table: string) {
    // One statement, atomic under SQLite's write lock: exactly one caller sees `changes === 1`.
    this.upsert = db.prepare(
      `INSERT INTO ${table} (path, hash, format, seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (path) DO UPDATE SET hash = excluded.hash, format = excluded.format, seen_at = excluded.seen_at
       WHERE ${table}.hash <> excluded.hash`,
    );
  }

  /** True when `hash` is new for `path` (the caller records it); false when it was already recorded. */
  claim(path: string, hash: string, format: string | null, now: number): boolean {
    return this.upsert.run(path, hash, format, now).changes === 1;
  }
}
