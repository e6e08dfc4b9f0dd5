import { existsSync } from 'node:fs';
import { AuditLog } from '../storage/audit.js';
import { openDatabase } from '../storage/database.js';
import { PluginError } from '../errors.js';
import { MAINTENANCE_ACTION, auditDetail, describeMaintenance, runMaintenance } from '../ops/maintenance.js';
import { OpsError } from '../ops/ops-error.js';
import { CliExit, print, printJson, type GlobalOptions } from './common.js';
import { opsContext, runOp } from './backup-cmd.js';
import { EXIT } from './exit-codes.js';

export interface MaintenanceOptions extends GlobalOptions {
  archive?: boolean;
  analyze?: boolean;
  vacuum?: boolean;
  checkpoint?: boolean;
  olderThan?: string;
}

/** `devflow maintenance`: archive old events, ANALYZE, VACUUM, checkpoint (all unless some are named). */
export async function maintenanceCommand(options: MaintenanceOptions): Promise<number> {
  const c = opsContext(options);
  let days = c.config.storage.retention.archiveAfterDays ?? null;
  if (options.olderThan !== undefined) {
    days = Number(options.olderThan);
    if (!Number.isFinite(days) || days < 0) throw new CliExit(EXIT.USAGE, [`devflow: --older-than must be a number of days >= 0, got "${options.olderThan}"`]);
  }
  const named = options.archive || options.analyze || options.vacuum || options.checkpoint;
  const tasks = { archive: !named || !!options.archive, analyze: !named || !!options.analyze, vacuum: !named || !!options.vacuum, checkpoint: !named || !!options.checkpoint };
  if (!existsSync(c.databasePath)) throw new CliExit(EXIT.PROBLEMS, [`devflow: there is no database at ${c.databasePath}; nothing to maintain`]);
  let db;
  try {
    db = openDatabase(c.databasePath);
  } catch (e) {
    throw new CliExit(EXIT.PROBLEMS, [`devflow: ${e instanceof PluginError ? e.message : String(e)}`]);
  }
  const t0 = performance.now();
  try {
    const report = await runOp(() =>
      runMaintenance(db, { tasks, databasePath: c.databasePath, archivePath: c.archivePath, archiveAfterDays: days, mode: 'full' }).catch((e: unknown) => {
        throw e instanceof OpsError ? e : new OpsError(`maintenance failed: ${e instanceof Error ? e.message : String(e)}; what finished before stays done`, 'run devflow doctor');
      }),
    );
    const audit = new AuditLog(db);
    audit.record({ principal: `local:${process.env.USER ?? 'user'}`, action: MAINTENANCE_ACTION, outcome: 'ok', durationMs: Math.round(performance.now() - t0), detail: auditDetail(report) });
    audit.flush();
    if (options.json) printJson({ ok: true, database: c.databasePath, ...report });
    else {
      print(`devflow: maintenance of ${c.databasePath}`);
      for (const l of describeMaintenance(report)) print(`  ${l}`);
      for (const w of report.warnings) process.stderr.write(`devflow: warning: ${w}\n`);
    }
    return EXIT.OK;
  } finally {
    db.close();
  }
}
