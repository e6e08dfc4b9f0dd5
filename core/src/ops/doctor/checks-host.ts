import { accessSync, constants, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { messageOf } from '../../errors.js';
import { bytes, databaseBytes, freeBytes } from '../files.js';
import { fail, ok, warn, type Finding } from './finding.js';
import { countTree } from './tree-estimate.js';

const MB = 1024 * 1024;

/** The directory the database lives in: present, writable (really), owner-only. */
export function checkDataDir(databasePath: string): Finding[] {
  const dir = dirname(databasePath);
  const check = 'data-dir';
  if (!existsSync(dir)) return [warn(check, `${dir} does not exist yet`, `devflow start creates it; or mkdir -m 700 -p ${dir}`)];
  const st = statSync(dir);
  if (!st.isDirectory()) return [fail(check, `${dir} is not a directory`, 'point storage.path or DEVFLOW_HOME at a directory')];
  const mode = (st.mode & 0o777).toString(8);
  // Root ignores permission bits; a directory with no write bit is meant to be read-only.
  if ((st.mode & 0o222) === 0) return [fail(check, `${dir} is read-only (mode ${mode}): events cannot be stored`, `chmod 700 ${dir}`)];
  const probe = join(dir, `.devflow-doctor-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (e) {
    return [fail(check, `cannot create files in ${dir}: ${messageOf(e)}`, `chmod u+w ${dir} (and check its owner: chown $USER ${dir})`)];
  }
  const out: Finding[] = [];
  if (existsSync(databasePath)) {
    const db = statSync(databasePath);
    let writable = (db.mode & 0o222) !== 0;
    try {
      accessSync(databasePath, constants.W_OK);
    } catch {
      writable = false;
    }
    if (!writable) out.push(fail(check, `${databasePath} is read-only (mode ${(db.mode & 0o777).toString(8)})`, `chmod 600 ${databasePath}`));
  }
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    out.push(warn(check, `${dir} belongs to uid ${st.uid}, not to you (uid ${process.getuid()})`, `sudo chown -R $USER ${dir}`));
  }
  if (st.mode & 0o077) out.push(warn(check, `${dir} is open to other users (mode ${mode}); the event log holds paths, branch names and commands`, `chmod 700 ${dir}`));
  if (!out.length) out.push(ok(check, `${dir} is writable and owner-only (mode ${mode})`));
  return out;
}

/** Free space where the database grows: backups and VACUUM need about its size again. */
export function checkDisk(databasePath: string): Finding {
  let dir = dirname(databasePath);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  const free = freeBytes(dir);
  const size = databaseBytes(databasePath);
  if (free === null) return warn('disk', `cannot read the free space of ${dir}`, `df -h ${dir}`);
  const detail = `${bytes(free)} free on the file system of ${dir}; the database is ${bytes(size)}`;
  if (free < 100 * MB || free < size) return fail('disk', `${detail}: writes, backups and VACUUM will fail`, `free space on that disk (df -h ${dir}), or set storage.retention.archiveAfterDays and run devflow maintenance`);
  if (free < 1024 * MB || free < 2 * size) return warn('disk', `${detail}: VACUUM and backups need about the database's size again`, `free space on that disk (df -h ${dir}), or move the data: set DEVFLOW_HOME or storage.path`);
  return ok('disk', detail);
}

function readLimit(file: string): number | null {
  try {
    return Number(readFileSync(file, 'utf8').trim());
  } catch {
    return null;
  }
}

/**
 * inotify limits (Linux) against what the file monitor needs: @parcel/watcher (backend auto or
 * parcel) holds one watch per directory, chokidar one per file and directory, poll none.
 */
export function checkInotify(projects: readonly string[], fileMonitor: { enabled: boolean; backend: string; useDefaultIgnores: boolean }, platform = process.platform): Finding {
  const check = 'inotify';
  if (platform !== 'linux') return ok(check, `not Linux (${platform}); no inotify limits apply`);
  if (!fileMonitor.enabled) return ok(check, 'the file-monitor plugin is not enabled; no watches needed');
  if (fileMonitor.backend === 'poll') return ok(check, 'file-monitor polls (backend "poll"); no watches needed');
  const watches = readLimit('/proc/sys/fs/inotify/max_user_watches');
  const instances = readLimit('/proc/sys/fs/inotify/max_user_instances');
  if (watches === null) return warn(check, 'cannot read /proc/sys/fs/inotify/max_user_watches', 'cat /proc/sys/fs/inotify/max_user_watches');
  const tree = countTree(projects, { useDefaultIgnores: fileMonitor.useDefaultIgnores });
  const perFile = fileMonitor.backend === 'chokidar';
  const need = tree.dirs + (perFile ? tree.files : 0);
  const what = `${tree.complete ? '' : 'at least '}${need} watch(es) for ${projects.length} project(s) (${tree.dirs} directories${perFile ? `, ${tree.files} files: backend chokidar` : ''})`;
  const suggested = Math.max(524288, 2 ** Math.ceil(Math.log2(need * 2 || 1)));
  const fix = `echo fs.inotify.max_user_watches=${suggested} | sudo tee /etc/sysctl.d/60-devflow.conf && sudo sysctl --system`;
  const other = 'other programs (editors, dev servers) use watches from the same budget';
  if (need > watches) return fail(check, `${what} exceed max_user_watches=${watches}: the file monitor falls back to polling`, fix);
  if (need > watches / 2) return warn(check, `${what} use more than half of max_user_watches=${watches}; ${other}`, fix);
  if (instances !== null && instances < 8) {
    return warn(check, `max_user_instances=${instances} is low; each watched project and many editors take one`, 'echo fs.inotify.max_user_instances=512 | sudo tee -a /etc/sysctl.d/60-devflow.conf && sudo sysctl --system');
  }
  return ok(check, `${what}; max_user_watches=${watches}, max_user_instances=${instances ?? '?'}`);
}
