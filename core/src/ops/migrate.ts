import type { AnyPluginDefinition, Migration, SqlDatabase } from '@devflow/plugin-sdk';
import type Database from 'better-sqlite3';
import type { LoadedConfig } from '../config/load.js';
import { messageOf } from '../errors.js';
import { tablePrefix } from '../plugins/context.js';
import { loadEntry } from '../plugins/loader.js';
import { KERNEL_MIGRATIONS } from '../storage/kernel-schema.js';
import { applyMigrations } from '../storage/migrations.js';
import { countEvents, hasTable } from './files.js';
import { OpsError } from './ops-error.js';

type Db = Database.Database;

/** One plugin's (or the kernel's) migrations as the loaded definition knows them. */
export interface MigrationSource {
  plugin: string;
  /** Config entry it was loaded from ('kernel' for the kernel). */
  entry: string;
  enabled: boolean;
  prefix: string | null;
  migrations: readonly Migration[];
  /** Why the definition could not be loaded (its migrations are then unknown). */
  loadError?: string;
}

export interface MigrationRow {
  plugin: string;
  entry: string | null;
  /** Versions recorded in schema_migrations. */
  applied: number[];
  /** Versions the loaded definition has; null when it could not be loaded or is not configured. */
  known: number[] | null;
  pending: number[];
  /** Applied but unknown to the loaded definition: the database is ahead of the installed plugin. */
  ahead: number[];
  note: string | null;
}

/** The kernel's and every configured plugin's migrations (disabled ones too: they may have tables). */
export async function migrationSources(loaded: LoadedConfig): Promise<MigrationSource[]> {
  const out: MigrationSource[] = [{ plugin: 'kernel', entry: 'kernel', enabled: true, prefix: null, migrations: KERNEL_MIGRATIONS }];
  const entries = Object.entries(loaded.config?.plugins ?? {}).map(([entry, v]) => [entry, v.enabled] as const);
  for (const entry of loaded.entryProblems.keys()) entries.push([entry, true]);
  for (const [entry, enabled] of entries) {
    try {
      const def = (await loadEntry(entry, loaded.baseDir)).exported as AnyPluginDefinition;
      if (typeof def?.id !== 'string') throw new Error('it does not export a plugin definition');
      out.push({ plugin: def.id, entry, enabled, prefix: tablePrefix(def.id), migrations: Array.isArray(def.migrations) ? def.migrations : [] });
    } catch (e) {
      out.push({ plugin: entry, entry, enabled, prefix: null, migrations: [], loadError: messageOf(e) });
    }
  }
  return out;
}

function ledger(db: Db): Map<string, number[]> {
  const out = new Map<string, number[]>();
  if (!hasTable(db, 'schema_migrations')) return out;
  for (const r of db.prepare('SELECT plugin, version FROM schema_migrations ORDER BY plugin, version').all() as { plugin: string; version: number }[]) {
    out.set(r.plugin, [...(out.get(r.plugin) ?? []), r.version]);
  }
  return out;
}

/** Applied versus known versions, per plugin: configured ones first, then any other in the ledger. */
export function migrationRows(db: Db | null, sources: readonly MigrationSource[]): MigrationRow[] {
  const applied = db ? ledger(db) : new Map<string, number[]>();
  const rows: MigrationRow[] = sources.map((s) => {
    const done = applied.get(s.plugin) ?? [];
    const known = s.loadError ? null : s.migrations.map((m) => m.version).sort((a, b) => a - b);
    const note = s.loadError ? `cannot load: ${s.loadError}` : s.enabled ? null : 'disabled';
    return { plugin: s.plugin, entry: s.entry, applied: done, known, pending: (known ?? []).filter((v) => !done.includes(v)), ahead: known ? done.filter((v) => !known.includes(v)) : [], note };
  });
  for (const [plugin, done] of applied) {
    if (!sources.some((s) => s.plugin === plugin)) rows.push({ plugin, entry: null, applied: done, known: null, pending: [], ahead: [], note: 'not in the config' });
  }
  return rows;
}

/** Apply pending migrations (as `devflow start` does), up to `to` when given. */
export function migrateUp(db: Db, sources: readonly MigrationSource[], to?: number): { plugin: string; applied: number[] }[] {
  const out: { plugin: string; applied: number[] }[] = [];
  for (const s of sources) {
    if (s.loadError || !s.migrations.length) continue;
    const migrations = to === undefined ? s.migrations : s.migrations.filter((m) => m.version <= to);
    const applied = applyMigrations(db, { plugin: s.plugin, prefix: s.prefix, migrations });
    if (applied.length) out.push({ plugin: s.plugin, applied });
  }
  return out;
}

/** Every schema object by name → SQL (SQLite's own excluded). */
function schemaObjects(db: Db): Map<string, string | null> {
  const rows = db.prepare("SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").all() as { name: string; sql: string | null }[];
  return new Map(rows.map((r) => [r.name, r.sql]));
}

/**
 * The versions `down --to` would revert, newest first; throws, before anything runs, when a step
 * has no `down`, when an applied version is unknown to the definition, or for the kernel below 1
 * (the event log is never dropped).
 */
export function planDown(db: Db, source: MigrationSource, to: number): number[] {
  if (source.loadError) throw new OpsError(`cannot load ${source.entry} (${source.loadError}); going down needs its definition, which holds the down steps`);
  if (!Number.isInteger(to) || to < 0) throw new OpsError(`--to must be a version number >= 0, got ${to}`);
  if (source.plugin === 'kernel' && to < 1) throw new OpsError('the kernel cannot go below version 1: that would drop the event log, and down never loses events', 'use --to 1 or higher');
  const done = ledger(db).get(source.plugin) ?? [];
  const byVersion = new Map(source.migrations.map((m) => [m.version, m]));
  const targets = done.filter((v) => v > to).sort((a, b) => b - a);
  const unknown = targets.filter((v) => !byVersion.has(v));
  if (unknown.length) throw new OpsError(`${source.plugin}: applied migration(s) ${unknown.join(', ')} are unknown to the installed definition; nothing was reverted`, 'install the plugin version that made them, or restore a backup');
  const noDown = targets.filter((v) => !byVersion.get(v)?.down);
  if (noDown.length) throw new OpsError(`${source.plugin}: migration(s) ${noDown.join(', ')} have no down step; nothing was reverted`, 'restore the backup taken before the upgrade instead (devflow restore <file>)');
  return targets;
}

/**
 * Revert one plugin's migrations newer than `to`, newest first, each `down` in its own
 * transaction with its ledger row (see {@link planDown} for what is refused). A plugin's `down`
 * that touches anything outside its table prefix, or a step that changes the number of events,
 * is rolled back.
 */
export function migrateDown(db: Db, source: MigrationSource, to: number): number[] {
  const targets = planDown(db, source, to);
  const byVersion = new Map(source.migrations.map((m) => [m.version, m]));
  const forget = db.prepare('DELETE FROM schema_migrations WHERE plugin = ? AND version = ?');
  const reverted: number[] = [];
  for (const v of targets) {
    const m = byVersion.get(v) as Migration;
    try {
      db.transaction(() => {
        const before = schemaObjects(db);
        const events = before.has('events') ? countEvents(db) : 0;
        const down = m.down as NonNullable<Migration['down']>;
        if (typeof down === 'string') db.exec(down);
        else down(db as unknown as SqlDatabase);
        const after = schemaObjects(db);
        if (source.prefix !== null) {
          const outside = [...new Set([...before.keys(), ...after.keys()])].filter((n) => !n.startsWith(source.prefix as string) && before.get(n) !== after.get(n));
          if (outside.length) throw new OpsError(`${source.plugin}: down of migration ${v} changed ${outside.join(', ')}, outside its prefix ${source.prefix}; rolled back`);
        }
        if (before.has('events') && (!after.has('events') || countEvents(db) !== events)) throw new OpsError(`${source.plugin}: down of migration ${v} would lose events; rolled back`);
        forget.run(source.plugin, v);
      }).immediate();
      reverted.push(v);
    } catch (e) {
      const done = reverted.length ? ` (${reverted.join(', ')} already reverted)` : '';
      if (e instanceof OpsError) throw new OpsError(`${e.message}${done}`, e.fix);
      throw new OpsError(`${source.plugin}: down of migration ${v} (${m.name}) failed: ${messageOf(e)}; it is still applied${done}`);
    }
  }
  return reverted;
}
