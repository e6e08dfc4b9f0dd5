import { closeSync, existsSync, fsyncSync, openSync, readSync, rmSync, statSync, statfsSync } from 'node:fs';
import type Database from 'better-sqlite3';

type Db = Database.Database;

const SQLITE_HEADER = 'SQLite format 3\u0000';

/** True when the file starts with SQLite's 16-byte header. */
export function hasSqliteHeader(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(16);
    return readSync(fd, buf, 0, 16, 0) === 16 && buf.toString('latin1') === SQLITE_HEADER;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Flush a file (or a directory's entries) to disk; directories cannot be fsynced everywhere. */
export function fsyncPath(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A timestamp for file names: 2026-01-02T03-04-05-678Z (sorts by time, no colons). */
export function fileStamp(now = new Date()): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

/** Bytes for people: 512 B, 1.5 KB, 12.3 MB. */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '-';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
}

/** Size of a file, 0 when it does not exist. */
export function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The database file plus its WAL. */
export function databaseBytes(path: string): number {
  return sizeOf(path) + sizeOf(`${path}-wal`);
}

/** Bytes an unprivileged user can still write on the filesystem holding `dir`; null if unknown. */
export function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

/** Remove a database file and its journals, ignoring what is not there. */
export function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

/** `PRAGMA quick_check` (or the full `integrity_check`): the problems found, empty when the file is sound. */
export function checkIntegrity(db: Db, full = false): string[] {
  const rows = db.pragma(full ? 'integrity_check(100)' : 'quick_check(100)') as Record<string, string>[];
  const lines = rows.map((r) => String(Object.values(r)[0]));
  return lines.length === 1 && lines[0] === 'ok' ? [] : lines;
}

export function hasTable(db: Db, name: string, schema = 'main'): boolean {
  return !!db.prepare(`SELECT 1 FROM ${schema}.sqlite_master WHERE type = 'table' AND name = ?`).get(name);
}

export function countEvents(db: Db, schema = 'main'): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${schema}.events`).get() as { n: number }).n;
}

export function exists(path: string): boolean {
  return existsSync(path);
}
