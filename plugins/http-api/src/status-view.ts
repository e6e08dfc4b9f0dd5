import { statSync } from 'node:fs';
import type { KernelStatus, PluginStatus } from '@devflow/plugin-sdk';

/** States in which a plugin counts as settled for /ready: running, or kept out with a reason. */
const SETTLED = new Set(['started', 'failed', 'skipped', 'standby', 'disabled']);

export interface Readiness {
  ready: boolean;
  /** Plugins that are not settled (still starting, stopping) or isolated without a reason. */
  waiting: { id: string; state: string; reason: string | null }[];
  isolated: { id: string; state: string; reason: string | null }[];
}

export function readiness(status: KernelStatus): Readiness {
  const waiting: Readiness['waiting'] = [];
  const isolated: Readiness['isolated'] = [];
  for (const p of status.plugins) {
    const row = { id: p.id, state: p.state, reason: p.reason };
    if (!SETTLED.has(p.state) || ((p.state === 'failed' || p.state === 'skipped') && !p.reason)) waiting.push(row);
    else if (p.state === 'failed' || p.state === 'skipped' || p.state === 'standby') isolated.push(row);
  }
  return { ready: waiting.length === 0, waiting, isolated };
}

let walCache: { path: string; at: number; bytes: number | null } | undefined;

/** Size of the database's WAL file (cached for a second: status is polled). */
export function walBytes(dbPath: string, now = Date.now()): number | null {
  if (dbPath === ':memory:') return null;
  if (walCache && walCache.path === dbPath && now - walCache.at < 1000) return walCache.bytes;
  let bytes: number | null;
  try {
    bytes = statSync(`${dbPath}-wal`).size;
  } catch (e) {
    bytes = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 0 : null;
  }
  walCache = { path: dbPath, at: now, bytes };
  return bytes;
}

function pluginView(p: PluginStatus) {
  return { id: p.id, version: p.version, state: p.state, reason: p.reason, lastError: p.lastError, needsLease: p.needsLease, startedAt: p.startedAt };
}

/**
 * The /status document: `status` is "ok" when every enabled plugin runs (or waits for the lease),
 * "degraded" when one failed or was skipped.
 */
export function statusView(s: KernelStatus, http: Record<string, unknown>) {
  const m = process.memoryUsage();
  const degraded = s.plugins.some((p) => p.state === 'failed' || p.state === 'skipped');
  return {
    status: degraded ? 'degraded' : 'ok',
    version: s.version,
    pid: s.pid,
    startedAt: s.startedAt,
    uptimeSeconds: Math.floor(s.uptimeMs / 1000),
    configFile: s.configFile,
    projects: s.projects,
    plugins: s.plugins.map(pluginView),
    database: { path: s.database.path, sizeBytes: s.database.sizeBytes, events: s.database.events, walBytes: walBytes(s.database.path) },
    ingest: s.ingest,
    memory: { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers },
    lease: s.lease,
    http,
  };
}
