import { chmodSync, copyFileSync, existsSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { messageOf } from '../errors.js';
import { KERNEL_MIGRATIONS } from '../storage/kernel-schema.js';
import { checkWritableDir } from './backup.js';
import { bytes, checkIntegrity, countEvents, fileStamp, freeBytes, fsyncPath, hasSqliteHeader, hasTable, removeDatabaseFiles, sizeOf } from './files.js';
import { OpsError } from './ops-error.js';
import { cwdOf, openersOf, readMonitorHolder, stopProcess } from './processes.js';

type Db = Database.Database;

const EVENT_COLUMNS = ['seq', 'id', 'ts', 'type', 'source', 'project', 'severity', 'data'];
export const KERNEL_SCHEMA_VERSION = Math.max(...KERNEL_MIGRATIONS.map((m) => m.version));

export interface DevflowDbInfo {
  events: number;
  kernelVersion: number;
  /** Plugins with applied migrations. */
  plugins: string[];
}

/** Check an open database is a sound DevFlow database this build can use; throws OpsError saying why not. */
export function inspectDevflowDatabase(db: Db, label: string): DevflowDbInfo {
  const problems = checkIntegrity(db, true);
  if (problems.length) throw new OpsError(`${label} fails PRAGMA integrity_check: ${problems.slice(0, 3).join('; ')}`, 'use another backup');
  if (!hasTable(db, 'events')) throw new OpsError(`${label} is an SQLite database but not a DevFlow one (no events table)`, 'pick a file made by devflow backup');
  const columns = (db.prepare("SELECT name FROM pragma_table_info('events')").all() as { name: string }[]).map((c) => c.name);
  const missing = EVENT_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length) throw new OpsError(`${label} has an events table without ${missing.join(', ')}; it is not a DevFlow database`, 'pick a file made by devflow backup');
  if (!hasTable(db, 'schema_migrations')) throw new OpsError(`${label} has no schema_migrations table; it is not a DevFlow database`, 'pick a file made by devflow backup');
  const kernel = (db.prepare("SELECT version FROM schema_migrations WHERE plugin = 'kernel' ORDER BY version").all() as { version: number }[]).map((r) => r.version);
  if (!kernel.includes(1)) throw new OpsError(`${label} records no kernel schema (schema_migrations has no kernel rows); it is not a DevFlow database`, 'pick a file made by devflow backup');
  const kernelVersion = Math.max(...kernel);
  if (kernelVersion > KERNEL_SCHEMA_VERSION) {
    throw new OpsError(`${label} has kernel schema ${kernelVersion}, newer than this build knows (${KERNEL_SCHEMA_VERSION})`, 'restore it with the newer DevFlow that made it');
  }
  const plugins = (db.prepare("SELECT DISTINCT plugin FROM schema_migrations WHERE plugin <> 'kernel' ORDER BY plugin").all() as { plugin: string }[]).map((r) => r.plugin);
  return { events: countEvents(db), kernelVersion, plugins };
}

export interface RestoreOptions {
  file: string;
  databasePath: string;
  /** Stop the processes using the database (SIGTERM, bounded wait) instead of refusing. */
  force?: boolean;
  stopTimeoutMs?: number;
}

export interface RestoreResult extends DevflowDbInfo {
  source: string;
  databasePath: string;
  /** Where the database that was replaced now is (null when there was none). */
  keptAs: string | null;
  stopped: Stopped[];
}

export interface Stopped {
  pid: number;
  command: string | null;
  cwd: string | null;
}

/**
 * Put a backup in place of the database. Verifies a copy first (nothing changes when the file is
 * not a DevFlow database), refuses while a process uses the database unless `force` (then stops
 * it), keeps the current database as `<db>.before-restore-<timestamp>` and renames the verified
 * copy into place: the swap is one rename in the same directory.
 */
export async function restoreDatabase(options: RestoreOptions): Promise<RestoreResult> {
  const source = resolve(options.file);
  const target = resolve(options.databasePath);
  if (!existsSync(source)) throw new OpsError(`${source} does not exist`, 'give the path of a file made by devflow backup');
  if (!statSync(source).isFile()) throw new OpsError(`${source} is not a file`, 'give the path of a file made by devflow backup');
  if (source === target) throw new OpsError(`${source} is the database in use; nothing to restore`);
  if (!hasSqliteHeader(source)) throw new OpsError(`${source} is not an SQLite database (no SQLite header); nothing was changed`, 'pick a file made by devflow backup');
  const dir = dirname(target);
  checkWritableDir(dir, 'the restored database');
  const free = freeBytes(dir);
  if (free !== null && free < sizeOf(source)) throw new OpsError(`not enough free space in ${dir}: ${bytes(free)} free, the backup is ${bytes(sizeOf(source))}`);

  // 1. A verified copy next to the database (same filesystem: the swap is an atomic rename).
  const temp = join(dir, `.${basename(target)}.restore-${process.pid}`);
  let info: DevflowDbInfo;
  try {
    copyFileSync(source, temp);
    const db = new Database(temp, { fileMustExist: true });
    try {
      info = inspectDevflowDatabase(db, source);
      // The lease holder recorded in the backup is not running now.
      if (hasTable(db, 'leases')) db.prepare('DELETE FROM leases').run();
      db.pragma('journal_mode = DELETE');
    } finally {
      db.close();
    }
    chmodSync(temp, 0o600);
    fsyncPath(temp);
  } catch (e) {
    removeDatabaseFiles(temp);
    if (e instanceof OpsError) throw new OpsError(`${e.message}; nothing was changed`, e.fix);
    throw new OpsError(`cannot read ${source} as a database: ${messageOf(e)}; nothing was changed`, 'pick a file made by devflow backup');
  }

  try {
    // 2. Nobody may have the database open while it is swapped.
    const stopped = await stopUsers(target, options.force === true, options.stopTimeoutMs ?? 20_000);
    // 3. Keep the current database, its WAL folded in, as one file.
    let keptAs: string | null = null;
    if (existsSync(target)) {
      keptAs = `${target}.before-restore-${fileStamp()}`;
      const current = new Database(target, { fileMustExist: true });
      try {
        current.pragma('busy_timeout = 5000');
        current.pragma('wal_checkpoint(TRUNCATE)');
        current.pragma('journal_mode = DELETE');
      } finally {
        current.close();
      }
      renameSync(target, keptAs);
      for (const s of ['-wal', '-shm']) if (existsSync(`${target}${s}`)) renameSync(`${target}${s}`, `${keptAs}${s}`);
    }
    // 4. The swap.
    try {
      renameSync(temp, target);
    } catch (e) {
      if (keptAs && !existsSync(target)) renameSync(keptAs, target); // put the previous one back
      throw e;
    }
    fsyncPath(dir);
    return { ...info, source, databasePath: target, keptAs, stopped };
  } catch (e) {
    removeDatabaseFiles(temp);
    if (e instanceof OpsError) throw e;
    throw new OpsError(`restore failed: ${messageOf(e)}`, `check ${dir}; the database in use was not replaced`);
  }
}

/** Refuse (or, forced, stop) the lease holder and any other process with the database open. */
async function stopUsers(databasePath: string, force: boolean, timeoutMs: number): Promise<Stopped[]> {
  const stopped: Stopped[] = [];
  const holder = readMonitorHolder(databasePath);
  if (holder?.live) {
    const who = `pid ${holder.pid} on ${holder.host}${holder.command ? ` (${holder.command})` : ''}`;
    if (!holder.sameHost) throw new OpsError(`a DevFlow kernel on another host (${who}) holds the monitor lease; nothing was changed`, `stop it on ${holder.host}, then run devflow restore again`);
    if (!force) throw new OpsError(`a DevFlow kernel is running: ${who} holds the monitor lease; nothing was changed`, `stop it first (kill ${holder.pid}), or run devflow restore again with --force to stop it`);
    const cwd = cwdOf(holder.pid);
    if (!(await stopProcess(holder.pid, timeoutMs))) throw new OpsError(`pid ${holder.pid} did not exit within ${Math.round(timeoutMs / 1000)} s of SIGTERM; nothing was changed`, `stop it yourself (kill ${holder.pid}), then run devflow restore again`);
    stopped.push({ pid: holder.pid, command: holder.command, cwd });
  }
  const others = openersOf(databasePath);
  if (others.length && !force) {
    const list = others.map((o) => `${o.pid}${o.command ? ` (${o.command})` : ''}`).join(', ');
    throw new OpsError(`the database is open in process(es) ${list}; nothing was changed`, 'close them (e.g. quit the AI client running devflow mcp), or run devflow restore again with --force to stop them');
  }
  for (const o of others) {
    const cwd = cwdOf(o.pid);
    if (!(await stopProcess(o.pid, timeoutMs))) throw new OpsError(`pid ${o.pid} did not exit within ${Math.round(timeoutMs / 1000)} s of SIGTERM; nothing was changed`, `stop it yourself (kill ${o.pid})`);
    stopped.push({ ...o, cwd });
  }
  return stopped;
}
