import type Database from 'better-sqlite3';
import type { KernelConfig } from '../config/schema.js';
import { PluginError, messageOf } from '../errors.js';
import type { PinoLogger } from '../logger.js';
import type { AuditEntry } from '../storage/audit.js';
import { MAINTENANCE_ACTION, auditDetail, describeMaintenance, runMaintenance, type MaintenanceReport } from './maintenance.js';

const HOUR_MS = 3_600_000;

/** What the scheduler needs from the kernel. */
export interface SchedulerHost {
  db: Database.Database;
  databasePath: string;
  logger: PinoLogger;
  config(): KernelConfig;
  archivePath(): string;
  /** True while this process holds the monitor lease. */
  holdsLease(): boolean;
  audit(entry: AuditEntry): void;
  report(error: PluginError): void;
}

/**
 * Runs maintenance (archive, sampled ANALYZE, VACUUM when a quarter of the file is free, WAL
 * checkpoint) every `storage.maintenance.everyHours`, in the process holding the monitor lease
 * only. When it last ran is read from the audit log (`maintenance:run`, also written by
 * `devflow maintenance`), so short-lived processes still get their turn; a database that never
 * had one is first due `everyHours` after it was created.
 */
export class MaintenanceScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lastRun: number | undefined;

  constructor(
    private readonly host: SchedulerHost,
    private readonly checkEveryMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  start(): this {
    this.timer ??= setInterval(() => void this.tick(), this.checkEveryMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** When the next run is due (ms since the epoch), or null when scheduling is off. */
  dueAt(): number | null {
    const every = this.host.config().storage.maintenance.everyHours;
    if (!(every > 0)) return null;
    this.lastRun ??= this.readLastRun();
    return this.lastRun + every * HOUR_MS;
  }

  /** Check and, when due and holding the lease, run. Resolves with the report of a run, else null. */
  async tick(): Promise<MaintenanceReport | null> {
    const { db } = this.host;
    if (!db.open) {
      this.stop(); // the kernel stopped
      return null;
    }
    if (this.running || !this.host.holdsLease()) return null;
    const due = this.dueAt();
    if (due === null || this.now() < due) return null;
    // Another process may have run it meanwhile: re-read before running.
    this.lastRun = this.readLastRun();
    if (this.now() < (this.dueAt() ?? Infinity)) return null;
    this.running = true;
    const t0 = performance.now();
    try {
      const config = this.host.config();
      const report = await runMaintenance(db, {
        tasks: { archive: true, analyze: true, vacuum: true, checkpoint: true },
        databasePath: this.host.databasePath,
        archivePath: this.host.archivePath(),
        archiveAfterDays: config.storage.retention.archiveAfterDays ?? null,
        mode: 'scheduled',
        now: this.now(),
        pause: () => new Promise((r) => setImmediate(r)),
        stillOpen: () => db.open && this.host.holdsLease(),
      });
      this.lastRun = this.now();
      if (db.open) this.host.audit({ principal: 'system:maintenance', action: MAINTENANCE_ACTION, outcome: 'ok', durationMs: Math.round(performance.now() - t0), detail: auditDetail(report) });
      this.host.logger.info({ maintenance: auditDetail(report) }, `maintenance: ${describeMaintenance(report).join('; ')}`);
      for (const w of report.warnings) this.host.logger.warn(`maintenance: ${w}`);
      return report;
    } catch (e) {
      this.lastRun = this.now(); // not again every minute: at the next period
      this.host.report(new PluginError('KRN_ERR_SCHEDULER_FAILED', { phase: 'schedule', cause: e, detail: `scheduled maintenance failed: ${messageOf(e)}; run "devflow maintenance" to see it` }));
      if (db.open) this.host.audit({ principal: 'system:maintenance', action: MAINTENANCE_ACTION, outcome: 'error', detail: { error: messageOf(e) } });
      return null;
    } finally {
      this.running = false;
    }
  }

  private readLastRun(): number {
    const db = this.host.db;
    const last = db.prepare('SELECT max(ts) AS ts FROM audit_log WHERE action = ?').get(MAINTENANCE_ACTION) as { ts: number | null };
    if (last.ts !== null) return last.ts;
    const created = db.prepare("SELECT applied_at AS ts FROM schema_migrations WHERE plugin = 'kernel' AND version = 1").get() as { ts: number } | undefined;
    return created?.ts ?? this.now();
  }
}
