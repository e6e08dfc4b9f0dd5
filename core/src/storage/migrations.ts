import type { Migration, SqlDatabase } from '@devflow/plugin-sdk';
import type Database from 'better-sqlite3';
import { PluginError, messageOf } from '../errors.js';

type Db = Database.Database;

export interface MigrationSet {
  plugin: string;
  /** Table/index name prefix every created object must have; null for the kernel itself. */
  prefix: string | null;
  migrations: readonly Migration[];
}

export interface MigrationStatus {
  plugin: string;
  applied: { version: number; name: string; appliedAt: number }[];
  pending: { version: number; name: string }[];
}

const LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  plugin TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at INTEGER NOT NULL,
  PRIMARY KEY (plugin, version))`;

/** Every schema object (table, index, view, trigger) by name → its SQL, SQLite's own excluded. */
function schemaObjects(db: Db): Map<string, string | null> {
  // `_` is a LIKE wildcard: escape it, or a plugin table named e.g. `sqlitecache` would go unchecked
  const rows = db.prepare("SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").all() as { name: string; sql: string | null }[];
  return new Map(rows.map((r) => [r.name, r.sql]));
}

/** Objects outside `prefix` that were created, dropped or altered between two snapshots. */
function outsidePrefix(before: Map<string, string | null>, after: Map<string, string | null>, prefix: string): string[] {
  const out: string[] = [];
  for (const [name, sql] of after) {
    if (name.startsWith(prefix)) continue;
    if (!before.has(name)) out.push(`${name} (created)`);
    else if (before.get(name) !== sql) out.push(`${name} (altered)`);
  }
  for (const name of before.keys()) if (!name.startsWith(prefix) && !after.has(name)) out.push(`${name} (dropped)`);
  return out;
}

function run(db: Db, step: string | ((db: SqlDatabase) => void)): void {
  if (typeof step === 'string') db.exec(step);
  else step(db as unknown as SqlDatabase);
}

/** Check a migration list's shape: positive integer versions, unique, with an `up`. */
export function checkMigrations(migrations: readonly Migration[]): string | undefined {
  const seen = new Set<number>();
  for (const [i, m] of migrations.entries()) {
    if (!Number.isInteger(m.version) || m.version < 1) return `migrations[${i}].version must be a positive integer`;
    if (seen.has(m.version)) return `migrations[${i}].version ${m.version} appears twice`;
    if (typeof m.up !== 'string' && typeof m.up !== 'function') return `migrations[${i}].up must be SQL text or a function`;
    seen.add(m.version);
  }
  return undefined;
}

function appliedVersions(db: Db, plugin: string): Map<number, { name: string; applied_at: number }> {
  db.exec(LEDGER);
  const rows = db.prepare('SELECT version, name, applied_at FROM schema_migrations WHERE plugin = ?').all(plugin) as {
    version: number;
    name: string;
    applied_at: number;
  }[];
  return new Map(rows.map((r) => [r.version, r]));
}

/**
 * Apply the pending migrations of one plugin, each in its own transaction, recording each in the
 * ledger. A migration that creates a table or index outside the plugin's prefix is rolled back.
 */
export function applyMigrations(db: Db, set: MigrationSet): number[] {
  const done = appliedVersions(db, set.plugin);
  const pending = [...set.migrations].filter((m) => !done.has(m.version)).sort((a, b) => a.version - b.version);
  const applied: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (plugin, version, name, applied_at) VALUES (?, ?, ?, ?)');
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE plugin = ? AND version = ?');
  for (const m of pending) {
    try {
      // IMMEDIATE: take the write lock first (waiting out busy_timeout), then re-check the ledger:
      // another process opening the same database may have applied this migration meanwhile
      const ran = db.transaction(() => {
        if (isApplied.get(set.plugin, m.version)) return false;
        const before = set.prefix === null ? undefined : schemaObjects(db);
        run(db, m.up);
        if (set.prefix !== null && before) {
          const outside = outsidePrefix(before, schemaObjects(db), set.prefix);
          if (outside.length) {
            throw new PluginError('KRN_ERR_MIGRATION_PREFIX', {
              plugin: set.plugin,
              phase: 'migrate',
              detail: `migration ${m.version} (${m.name}) touched ${outside.join(', ')}; a plugin creates and changes only tables, indexes, views and triggers named with its prefix "${set.prefix}"`,
            });
          }
        }
        record.run(set.plugin, m.version, m.name, Date.now());
        return true;
      }).immediate();
      if (ran) applied.push(m.version);
    } catch (e) {
      if (e instanceof PluginError) throw e;
      throw new PluginError('KRN_ERR_MIGRATION_FAILED', {
        plugin: set.plugin,
        phase: 'migrate',
        cause: e,
        detail: `migration ${m.version} (${m.name}) failed: ${messageOf(e)}; nothing of it was applied`,
      });
    }
  }
  return applied;
}

/** Roll back to `toVersion` (exclusive of later ones), newest first, each with its `down`. */
export function revertMigrations(db: Db, set: MigrationSet, toVersion: number): number[] {
  const done = appliedVersions(db, set.plugin);
  const byVersion = new Map(set.migrations.map((m) => [m.version, m]));
  const targets = [...done.keys()].filter((v) => v > toVersion).sort((a, b) => b - a);
  const missing = targets.filter((v) => !byVersion.get(v)?.down);
  if (missing.length) {
    throw new PluginError('KRN_ERR_MIGRATION_FAILED', {
      plugin: set.plugin,
      phase: 'migrate',
      detail: `cannot go down to ${toVersion}: migration(s) ${missing.join(', ')} have no down step`,
    });
  }
  const forget = db.prepare('DELETE FROM schema_migrations WHERE plugin = ? AND version = ?');
  for (const v of targets) {
    const m = byVersion.get(v) as Migration;
    try {
      db.transaction(() => {
        run(db, m.down as NonNullable<Migration['down']>);
        forget.run(set.plugin, v);
      })();
    } catch (e) {
      throw new PluginError('KRN_ERR_MIGRATION_FAILED', {
        plugin: set.plugin,
        phase: 'migrate',
        cause: e,
        detail: `reverting migration ${v} (${m.name}) failed: ${messageOf(e)}; it is still applied (newer ones, if any, were reverted)`,
      });
    }
  }
  return targets;
}

export function migrationStatus(db: Db, set: MigrationSet): MigrationStatus {
  const done = appliedVersions(db, set.plugin);
  return {
    plugin: set.plugin,
    applied: [...done.entries()].sort(([a], [b]) => a - b).map(([version, r]) => ({ version, name: r.name, appliedAt: r.applied_at })),
    pending: set.migrations.filter((m) => !done.has(m.version)).map((m) => ({ version: m.version, name: m.name })),
  };
}
