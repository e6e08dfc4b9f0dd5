import { existsSync, statSync } from 'node:fs';
import type { KernelStatus, PluginStatus } from '@devflow/plugin-sdk';
import type Database from 'better-sqlite3';
import type { Ingest } from './ingest.js';
import type { Kernel } from './kernel.js';
import type { PluginRecord, Supervisor } from './plugins/supervisor.js';
import type { EventWriter } from './storage/event-log.js';
import type { Lease } from './storage/lease.js';
import { KERNEL_VERSION } from './version.js';

// Two scalar subqueries: SQLite answers a lone min() or max() from the primary key in O(log n),
// but `SELECT min(seq), max(seq)` together scans the whole table (~40 ms on 1M events).
const RANGE_SQL = 'SELECT (SELECT min(seq) FROM events) AS lo, (SELECT max(seq) FROM events) AS hi';
const rangeStatements = new WeakMap<Database.Database, Database.Statement>();

/** Assemble the kernel's status: cheap queries only (it is polled by dashboards and doctor). */
export function buildStatus(kernel: Kernel, sup: Supervisor, writer: EventWriter, ingest: Ingest, lease: Lease, held: boolean): KernelStatus {
  let rangeStatement = rangeStatements.get(kernel.db);
  if (!rangeStatement) rangeStatements.set(kernel.db, (rangeStatement = kernel.db.prepare(RANGE_SQL)));
  const range = rangeStatement.get() as { lo: number | null; hi: number | null };
  const holder = lease.holder();
  // (separate autocommit reads: a BEGIN/COMMIT around them measured slower than the locks it saves)
  const projections = kernel.projections.list(range.hi ?? 0);
  const toolsBy = kernel.tools.namesByPlugin();
  return {
    version: KERNEL_VERSION,
    pid: process.pid,
    startedAt: kernel.startedAt,
    uptimeMs: Date.now() - kernel.startedAt,
    configFile: kernel.configFile,
    projects: kernel.config.projects,
    database: { path: kernel.databasePath, events: range.hi === null ? 0 : range.hi - (range.lo ?? 0) + 1, sizeBytes: kernel.databaseSize() },
    ingest: { appended: writer.stats.appended, committed: writer.stats.committed, failures: writer.stats.failures, pending: writer.pending, dropped: ingest.dropped },
    lease: { held, holder: holder?.owner ?? null, expiresAt: holder?.expiresAt ?? null },
    plugins: [...sup.records.values()].map((r) => pluginStatus(r, toolsBy.get(r.id) ?? [])),
    projections,
  };
}

/** One plugin record as people and tools see it: reasons as `CODE: detail` lines. */
export function pluginStatus(r: PluginRecord, tools: readonly string[] = []): PluginStatus {
  return {
    id: r.id,
    entry: r.entry,
    version: r.version,
    state: r.state,
    reason: r.reason ? `${r.reason.code}: ${r.reason.detail}` : null,
    code: r.reason?.code ?? null,
    lastError: r.lastError ? `${r.lastError.code}: ${r.lastError.detail}` : null,
    startedAt: r.startedAt,
    needsLease: r.needsLease,
    tools,
  };
}

/** Total size of some files, re-read at most once per `ttlMs`. */
export class FileSize {
  private cache: { at: number; bytes: number | null } | undefined;

  constructor(
    private readonly files: () => string[],
    private readonly ttlMs = 1000,
  ) {}

  get(now = Date.now()): number | null {
    if (this.cache && now - this.cache.at < this.ttlMs) return this.cache.bytes;
    let bytes: number | null = 0;
    try {
      for (const f of this.files()) if (existsSync(f)) bytes += statSync(f).size;
    } catch {
      bytes = null;
    }
    this.cache = { at: now, bytes };
    return bytes;
  }
}
