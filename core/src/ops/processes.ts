import { readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { exists } from './files.js';

/** The monitor lease as operations see it: who holds it and whether that process is alive. */
export interface MonitorHolder {
  owner: string;
  pid: number;
  host: string;
  acquiredAt: number;
  expiresAt: number;
  sameHost: boolean;
  /** process.kill(pid, 0) on this host; null for another host. */
  alive: boolean | null;
  expired: boolean;
  /** Alive (or on another host) and renewed recently: a kernel is running monitors. */
  live: boolean;
  /** The command line of the process (Linux), when it can be read. */
  command: string | null;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `node …/devflow.js start` for a pid (Linux /proc); null elsewhere or when it is gone. */
export function commandOf(pid: number): string | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\u0000').filter(Boolean).join(' ') || null;
  } catch {
    return null;
  }
}

/** Read the `monitors` lease from the database without writing to it; null when nobody holds it. */
export function readMonitorHolder(databasePath: string, now = Date.now()): MonitorHolder | null {
  if (!exists(databasePath)) return null;
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    const hasLeases = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'leases'").get();
    if (!hasLeases) return null;
    const r = db.prepare("SELECT owner, pid, host, acquired_at, expires_at FROM leases WHERE name = 'monitors'").get() as
      | { owner: string; pid: number; host: string; acquired_at: number; expires_at: number }
      | undefined;
    if (!r) return null;
    const sameHost = r.host === hostname();
    const alive = sameHost ? pidAlive(r.pid) : null;
    const expired = r.expires_at <= now;
    return {
      owner: r.owner,
      pid: r.pid,
      host: r.host,
      acquiredAt: r.acquired_at,
      expiresAt: r.expires_at,
      sameHost,
      alive,
      expired,
      live: !expired && alive !== false,
      command: sameHost && alive ? commandOf(r.pid) : null,
    };
  } finally {
    db.close();
  }
}

/**
 * Other processes on this machine that have the database (or its WAL) open, from /proc (Linux);
 * an empty list elsewhere. A restore must not swap the file under an open connection.
 */
export function openersOf(databasePath: string): { pid: number; command: string | null }[] {
  if (process.platform !== 'linux') return [];
  let targets: Set<string>;
  try {
    const real = realpathSync(databasePath);
    targets = new Set([real, `${real}-wal`, `${real}-shm`]);
  } catch {
    return [];
  }
  const out: { pid: number; command: string | null }[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  for (const p of pids) {
    const pid = Number(p);
    if (pid === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${p}/fd`);
    } catch {
      continue; // gone, or not ours to look at
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${p}/fd/${fd}`);
      } catch {
        continue;
      }
      if (targets.has(target)) {
        out.push({ pid, command: commandOf(pid) });
        break;
      }
    }
  }
  return out;
}

/** SIGTERM a process and wait (bounded) until it is gone. True when it exited. */
export async function stopProcess(pid: number, timeoutMs: number): Promise<boolean> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw e;
  }
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!pidAlive(pid) || isZombie(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !pidAlive(pid) || isZombie(pid);
}

/** A child that exited but was not reaped yet still answers kill(pid, 0). */
function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** The working directory of a pid (Linux /proc); null elsewhere or when it is gone. */
export function cwdOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

/** How to start a stopped process again, from its command line and working directory. */
export function restartHint(command: string | null, cwd: string | null = null): string {
  if (!command) return 'start it again the way it was started (devflow start, or restart the AI client that launched devflow mcp)';
  if (/\bmcp\b/.test(command)) return 'restart the AI client that launched it (e.g. quit and reopen Claude Desktop), which runs devflow mcp again';
  return `run it again: ${cwd ? `cd ${cwd} && ` : ''}${command}`;
}
