import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { messageOf } from '../../errors.js';
import { bytes, checkIntegrity, countEvents, hasTable, sizeOf } from '../files.js';
import { readMonitorHolder, type MonitorHolder } from '../processes.js';
import { KERNEL_SCHEMA_VERSION } from '../restore.js';
import { fail, ok, warn, type Finding } from './finding.js';

const ago = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : ms < 7_200_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 3_600_000)} h`);

/** Is a kernel running monitors: the lease holder, its pid alive (this host), the lease fresh. */
export function checkKernel(databasePath: string, now = Date.now()): { finding: Finding; holder: MonitorHolder | null } {
  let holder: MonitorHolder | null;
  try {
    holder = readMonitorHolder(databasePath, now);
  } catch (e) {
    return { finding: warn('kernel', `cannot read the monitor lease from ${databasePath}: ${messageOf(e)}`, 'see the database finding below'), holder: null };
  }
  const start = 'devflow start (or open the AI client that launches devflow mcp)';
  if (!holder) return { finding: warn('kernel', 'no kernel is running monitors: nothing is being recorded', start), holder };
  const who = `pid ${holder.pid} on ${holder.host}`;
  if (holder.sameHost && holder.alive === false) {
    return { finding: warn('kernel', `stale monitor lease: ${who} no longer exists (it did not stop cleanly); nothing is being recorded`, `${start}; it takes the stale lease over at once`), holder };
  }
  if (holder.expired) {
    return { finding: warn('kernel', `the monitor lease of ${who} expired ${ago(now - holder.expiresAt)} ago: its kernel hangs or stopped`, holder.sameHost ? `kill ${holder.pid}; then ${start}` : `check the kernel on ${holder.host}`), holder };
  }
  const cmd = holder.command ? ` (${holder.command})` : '';
  return { finding: ok('kernel', `running: ${who}${cmd}, monitors since ${ago(now - holder.acquiredAt)} ago`), holder };
}

/** The database: present, sound (quick_check, or integrity_check with `full`), a schema this build knows. */
export function checkDatabase(databasePath: string, full: boolean): Finding {
  const check = 'database';
  if (!existsSync(databasePath)) return warn(check, `no database at ${databasePath} yet`, 'devflow start creates it');
  const restore = 'devflow restore <file> (backups are in <data dir>/backups), or move the file aside and let devflow start create a new one';
  let db: Database.Database | undefined;
  try {
    db = new Database(databasePath, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const problems = checkIntegrity(db, full);
    if (problems.length) return fail(check, `${databasePath} fails PRAGMA ${full ? 'integrity_check' : 'quick_check'}: ${problems.slice(0, 3).join('; ')}`, restore);
    if (!hasTable(db, 'events') || !hasTable(db, 'schema_migrations')) return fail(check, `${databasePath} is not a DevFlow database (no events / schema_migrations table)`, `point storage.path elsewhere, or move ${databasePath} aside`);
    const version = (db.prepare("SELECT max(version) AS v FROM schema_migrations WHERE plugin = 'kernel'").get() as { v: number | null }).v ?? 0;
    if (version > KERNEL_SCHEMA_VERSION) return fail(check, `${databasePath} has kernel schema ${version}; this build knows up to ${KERNEL_SCHEMA_VERSION}`, 'upgrade DevFlow, or devflow restore a backup made by this version');
    const wal = sizeOf(`${databasePath}-wal`);
    const detail = `${databasePath}: ${countEvents(db)} events, ${bytes(sizeOf(databasePath))} + ${bytes(wal)} WAL, kernel schema ${version}, ${full ? 'integrity_check' : 'quick_check'} ok`;
    if (wal > 256 * 1024 * 1024) return warn(check, `${detail}; the WAL is large`, 'devflow maintenance --checkpoint');
    return ok(check, full ? detail : `${detail} (--full runs integrity_check)`);
  } catch (e) {
    return fail(check, `cannot read ${databasePath}: ${messageOf(e)}`, restore);
  } finally {
    db?.close();
  }
}

export interface HttpApiTarget {
  enabled: boolean;
  host: string;
  port: number;
}

/** The running kernel's /status, when its http-api answers. */
export interface RemoteStatus {
  plugins: { id: string; state: string; reason?: string | null; lastError?: string | null }[];
}

async function get(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  return { status: res.status, body: await res.text() };
}

/** Is the http-api port answering GET /health; then its /status for the plugins' live view. */
export async function checkHttpApi(target: HttpApiTarget, kernelLive: boolean, timeoutMs = 1500): Promise<{ finding: Finding; status: RemoteStatus | null }> {
  const check = 'http-api';
  if (!target.enabled) return { finding: ok(check, 'the http-api plugin is not enabled; no port to check'), status: null };
  const base = `http://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  let health;
  try {
    health = await get(`${base}/health`, timeoutMs);
  } catch (e) {
    const why = (e as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : messageOf((e as { cause?: unknown }).cause ?? e);
    if (!kernelLive) return { finding: warn(check, `${base}/health does not answer (${why}); no kernel is running`, 'devflow start'), status: null };
    return { finding: warn(check, `${base}/health does not answer (${why}) although a kernel is running`, `check the kernel's log for http-api errors; if another program has port ${target.port} (ss -ltnp | grep ${target.port}), set plugins.http-api.config.port`), status: null };
  }
  if (health.status !== 200) return { finding: fail(check, `${base}/health answered ${health.status}: something other than DevFlow may have port ${target.port}`, `ss -ltnp | grep ${target.port}; or set plugins.http-api.config.port to a free port`), status: null };
  let status: RemoteStatus | null = null;
  try {
    const s = await get(`${base}/status`, timeoutMs);
    const parsed = s.status === 200 ? (JSON.parse(s.body) as { plugins?: unknown }) : null;
    if (parsed && Array.isArray(parsed.plugins)) status = { plugins: parsed.plugins as RemoteStatus['plugins'] };
  } catch {
    // /health answered; the plugins' live view is a bonus
  }
  return { finding: ok(check, `${base}/health answers`), status };
}
