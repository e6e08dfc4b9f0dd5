import { accessSync, chmodSync, constants, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { messageOf } from '../errors.js';
import { bytes, checkIntegrity, countEvents, databaseBytes, fileStamp, freeBytes, fsyncPath, hasTable, removeDatabaseFiles, sizeOf } from './files.js';
import { OpsError } from './ops-error.js';

export interface BackupResult {
  path: string;
  bytes: number;
  events: number;
  ms: number;
}

/** `<dataDir>/backups/devflow-<timestamp>.db`, or inside `target` when it is a directory. */
export function backupTarget(target: string | undefined, dataDir: string, label = ''): string {
  const name = `devflow-${fileStamp()}${label ? `-${label}` : ''}.db`;
  if (!target) return join(dataDir, 'backups', name);
  const abs = resolve(target);
  return existsSync(abs) && statSync(abs).isDirectory() ? join(abs, name) : abs;
}

/** Refuse a directory that cannot take the file, before writing anything. */
export function checkWritableDir(dir: string, what: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new OpsError(`cannot create ${dir} for ${what}: ${messageOf(e)}`, 'choose a path in a writable directory');
  }
  const st = statSync(dir);
  if (!st.isDirectory()) throw new OpsError(`${dir} is not a directory`, 'choose a path in a writable directory');
  // Root ignores permission bits: a directory with no write bit at all is read-only for us too.
  if ((st.mode & 0o222) === 0) throw new OpsError(`${dir} is read-only (mode ${(st.mode & 0o777).toString(8)}); ${what} was not written`, `chmod u+w ${dir}, or choose another path`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new OpsError(`${dir} is not writable by this user; ${what} was not written`, `chmod u+w ${dir}, or choose another path`);
  }
}

/**
 * Copy a live database with SQLite's online backup, from a connection of its own: one backup step
 * copies every page under one read transaction, so the copy is a consistent snapshot even while
 * another process keeps writing (WAL readers do not block writers). The copy is written under a
 * temporary name, verified (quick_check, events), switched to a single file (journal_mode=DELETE),
 * flushed and only then renamed into place; a failure leaves nothing behind.
 */
export async function backupDatabase(source: string, target: string): Promise<BackupResult> {
  const began = performance.now();
  if (!existsSync(source) || !statSync(source).isFile()) throw new OpsError(`there is no database at ${source}; nothing to back up`, 'check storage.path / DEVFLOW_HOME, or run devflow start once');
  if (existsSync(target)) throw new OpsError(`${target} already exists; a backup never overwrites a file`, 'choose another path, or delete that file first');
  const dir = dirname(target);
  checkWritableDir(dir, 'the backup');
  const need = databaseBytes(source);
  const free = freeBytes(dir);
  if (free !== null && free < need) throw new OpsError(`not enough free space in ${dir}: ${bytes(free)} free, the database needs about ${bytes(need)}`, 'free some space or choose another path');

  const temp = join(dir, `.${basename(target)}.partial-${process.pid}`);
  try {
    const src = openSource(source);
    try {
      // One step for all pages: a step that spans writes by another process would restart.
      await src.backup(temp, { progress: () => 0x7fffffff });
    } finally {
      src.close();
    }
    const copy = new Database(temp, { fileMustExist: true });
    let events: number;
    try {
      copy.pragma('journal_mode = DELETE');
      const problems = checkIntegrity(copy);
      if (problems.length) throw new OpsError(`the copy failed its check (${problems.slice(0, 3).join('; ')}); the source database may be damaged`, 'run devflow doctor --full');
      if (!hasTable(copy, 'events')) throw new OpsError(`${source} holds no events table; it is not a DevFlow database`);
      events = countEvents(copy);
    } finally {
      copy.close();
    }
    chmodSync(temp, 0o600); // the event log is private
    fsyncPath(temp);
    renameSync(temp, target);
    fsyncPath(dir);
    return { path: target, bytes: sizeOf(target), events, ms: Math.round(performance.now() - began) };
  } catch (e) {
    removeDatabaseFiles(temp);
    if (e instanceof OpsError) throw e;
    throw new OpsError(`backup to ${target} failed: ${messageOf(e)}; nothing was written there`, 'check the path and free space, then run devflow backup again');
  }
}

/** Read-only when possible (a read-only data dir still backs up), read-write otherwise. */
function openSource(path: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch {
    db?.close();
    db = new Database(path, { fileMustExist: true });
  }
  db.pragma('busy_timeout = 5000');
  return db;
}
