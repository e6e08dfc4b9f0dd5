import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { PluginError, messageOf } from '../errors.js';
import { applyMigrations } from './migrations.js';
import { KERNEL_MIGRATIONS } from './kernel-schema.js';

export type Db = Database.Database;

export interface OpenOptions {
  /** Open read-only (tools-only processes never need this; used by doctor and backup checks). */
  readonly?: boolean;
}

function readonlyError(path: string, why: string): PluginError {
  return new PluginError('KRN_ERR_STORAGE_READONLY', {
    phase: 'storage',
    detail: `${path}: ${why}; make it writable (chmod u+w) or point DEVFLOW_HOME / storage.path at a writable location`,
    data: { path },
  });
}

/**
 * Refuse a read-only database up front with a clear error. Root ignores permission bits, so a
 * file with no write bit at all counts as read-only even for root: the user meant it.
 */
function checkWritable(path: string): void {
  const dir = dirname(path);
  if (!existsSync(path)) {
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR' || code === 'EEXIST') {
        // a path component is a regular file: not a permission problem, so no chmod advice
        let blocker = dir;
        while (!existsSync(blocker) && dirname(blocker) !== blocker) blocker = dirname(blocker);
        throw new PluginError('KRN_ERR_STORAGE', {
          phase: 'storage',
          cause: e,
          detail: `${path}: cannot create the directory ${dir} because ${blocker} is a file, not a directory; point storage.path or DEVFLOW_HOME at a directory`,
          data: { path },
        });
      }
      throw readonlyError(path, `cannot create the database in ${dir} (${messageOf(e)})`);
    }
    return;
  }
  const st = statSync(path);
  if (!st.isFile()) throw new PluginError('KRN_ERR_STORAGE', { phase: 'storage', detail: `${path} is not a regular file; point storage.path at a database file (or DEVFLOW_HOME at a directory)`, data: { path } });
  if ((st.mode & 0o222) === 0) throw readonlyError(path, 'the file is read-only');
  try {
    accessSync(path, constants.W_OK);
  } catch {
    throw readonlyError(path, 'the file is not writable by this user');
  }
}

/** Map SQLite's error codes at open time to the kernel's, with the path and a fix. */
export function storageError(error: unknown, path: string): PluginError {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new PluginError('KRN_ERR_STORAGE_NOT_SQLITE', {
      phase: 'storage',
      cause: error,
      detail: `${path} is not an SQLite database (${messageOf(error)}); move it aside (DevFlow creates a new one) or set DEVFLOW_HOME to another directory`,
      data: { path },
    });
  }
  if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_') || code === 'SQLITE_CANTOPEN') {
    return readonlyError(path, messageOf(error));
  }
  if (error instanceof PluginError) return error;
  return new PluginError('KRN_ERR_STORAGE', { phase: 'storage', cause: error, detail: `${path}: ${messageOf(error)}`, data: { path } });
}

/**
 * Open (or create) the per-user database: WAL, synchronous=NORMAL (a committed transaction
 * survives a process crash), foreign keys on, and the kernel's own tables migrated.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  if (path !== ':memory:' && !options.readonly) checkWritable(path);
  let db: Db | undefined;
  try {
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) applyMigrations(db, { plugin: 'kernel', prefix: null, migrations: KERNEL_MIGRATIONS });
    return db;
  } catch (e) {
    db?.close();
    throw storageError(e, path);
  }
}
