import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { openDatabase } from '../storage/database.js';
import { PluginError } from '../errors.js';
import { backupDatabase, backupTarget } from '../ops/backup.js';
import { migrateDown, migrateUp, migrationRows, migrationSources, planDown, type MigrationSource } from '../ops/migrate.js';
import { OpsError } from '../ops/ops-error.js';
import { readMonitorHolder } from '../ops/processes.js';
import { CliExit, print, printJson, table, type GlobalOptions } from './common.js';
import { opsContext, runOp } from './backup-cmd.js';
import { EXIT } from './exit-codes.js';

export interface MigrateOptions extends GlobalOptions {
  plugin?: string;
  to?: string;
  force?: boolean;
}

function versionArg(to: string | undefined): number | undefined {
  if (to === undefined) return undefined;
  const n = Number(to);
  if (!Number.isInteger(n) || n < 0) throw new CliExit(EXIT.USAGE, [`devflow: --to must be a whole number >= 0, got "${to}"`]);
  return n;
}

function pick(sources: MigrationSource[], plugin: string | undefined): MigrationSource[] {
  if (plugin === undefined) return sources;
  const found = sources.filter((s) => s.plugin === plugin || s.entry === plugin);
  if (!found.length) throw new CliExit(EXIT.USAGE, [`devflow: no plugin "${plugin}" in the config; known: ${sources.map((s) => s.plugin).join(', ')}`]);
  return found;
}

function pendingOf(path: string, sources: MigrationSource[], plugin: string): number[] {
  if (!existsSync(path)) return sources.find((s) => s.plugin === plugin)?.migrations.map((m) => m.version) ?? [];
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return migrationRows(db, sources).find((r) => r.plugin === plugin)?.pending ?? [];
  } finally {
    db.close();
  }
}

const list = (v: number[] | null) => (v === null ? '?' : v.length ? v.join(',') : '-');

/** `devflow migrate status|up|down`: applied versus known migrations per plugin; apply or revert them. */
export async function migrateCommand(action: string, options: MigrateOptions): Promise<number> {
  if (!['status', 'up', 'down'].includes(action)) throw new CliExit(EXIT.USAGE, [`devflow: unknown migrate action "${action}"; use status, up or down`]);
  const c = opsContext(options);
  const to = versionArg(options.to);
  const sources = pick(await migrationSources(c.loaded), options.plugin);
  const path = c.databasePath;

  if (action === 'status') {
    const db = existsSync(path) ? new Database(path, { readonly: true, fileMustExist: true }) : null;
    try {
      const rows = migrationRows(db, sources).filter((r) => options.plugin === undefined || sources.some((s) => s.plugin === r.plugin));
      if (options.json) printJson({ database: path, exists: db !== null, plugins: rows });
      else {
        print(`devflow: migrations of ${path}${db ? '' : ' (no database yet: everything is pending)'}`);
        print(table(['PLUGIN', 'APPLIED', 'KNOWN', 'PENDING', 'NOTE'], rows.map((r) => [r.plugin, list(r.applied), list(r.known), list(r.pending), [r.ahead.length ? `database ahead: ${r.ahead.join(',')}` : '', r.note ?? ''].filter(Boolean).join('; ')])));
      }
    } finally {
      db?.close();
    }
    return EXIT.OK;
  }

  if (action === 'up') {
    // Opening the database applies the kernel's own migrations: note what was pending first.
    const kernelPending = sources.some((s) => s.plugin === 'kernel') ? pendingOf(path, sources, 'kernel') : [];
    let db;
    try {
      db = openDatabase(path);
    } catch (e) {
      throw new CliExit(EXIT.PROBLEMS, [`devflow: ${e instanceof PluginError ? e.message : String(e)}`]);
    }
    try {
      const done = await runOp(() => {
        try {
          const done = migrateUp(db, sources, to);
          return kernelPending.length ? [{ plugin: 'kernel', applied: kernelPending }, ...done] : done;
        } catch (e) {
          throw new OpsError(e instanceof PluginError ? e.message : String(e), 'fix the plugin, or restore a backup');
        }
      });
      if (options.json) printJson({ database: path, applied: done });
      else if (!done.length) print(`devflow: ${path} is up to date; nothing to apply`);
      else for (const d of done) print(`devflow: ${d.plugin}: applied ${d.applied.join(', ')}`);
    } finally {
      db.close();
    }
    return EXIT.OK;
  }

  // down
  if (options.plugin === undefined || to === undefined) throw new CliExit(EXIT.USAGE, ['devflow: migrate down needs --plugin <id> and --to <version>']);
  const source = sources[0] as MigrationSource;
  if (!existsSync(path)) throw new CliExit(EXIT.PROBLEMS, [`devflow: there is no database at ${path}; nothing to revert`]);
  const check = new Database(path, { readonly: true, fileMustExist: true });
  try {
    await runOp(() => planDown(check, source, to)); // refuse before taking a backup
  } finally {
    check.close();
  }
  const holder = readMonitorHolder(path);
  if (holder?.live && !options.force) {
    throw new CliExit(EXIT.PROBLEMS, [`devflow: a kernel is running (pid ${holder.pid} on ${holder.host}) and uses these tables; nothing was reverted`, `  fix: stop it first, or pass --force`]);
  }
  const backup = await runOp(() => backupDatabase(path, backupTarget(undefined, c.dataDir, 'before-migrate-down')));
  if (!options.json) print(`devflow: backup before going down: ${backup.path}`);
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    const reverted = await runOp(() => migrateDown(db, source, to));
    const reapplied = source.enabled && source.plugin !== 'kernel' && reverted.length > 0;
    if (options.json) printJson({ database: path, plugin: source.plugin, reverted, backup: backup.path });
    else {
      print(reverted.length ? `devflow: ${source.plugin}: reverted ${reverted.join(', ')} (now at ${to})` : `devflow: ${source.plugin} is at or below ${to}; nothing to revert`);
      if (reapplied) print(`note: ${source.plugin} is enabled and still knows these migrations: the next devflow start applies them again. Install the older version, or disable it (devflow plugins disable ${source.plugin}).`);
      if (source.plugin === 'kernel' && reverted.length) print('note: this build applies the kernel migrations again whenever it opens the database; run the older DevFlow now.');
      print(`To undo: devflow restore ${backup.path}`);
    }
    return EXIT.OK;
  } finally {
    db.close();
  }
}
