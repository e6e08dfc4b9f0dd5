import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { messageOf } from '../errors.js';
import { Archiver, type ArchiveCounts } from './archive.js';
import { bytes, databaseBytes, freeBytes } from './files.js';

type Db = Database.Database;
const DAY_MS = 86_400_000;

export interface MaintenanceTasks {
  archive: boolean;
  analyze: boolean;
  vacuum: boolean;
  checkpoint: boolean;
}

export interface MaintenancePlan {
  tasks: MaintenanceTasks;
  databasePath: string;
  archivePath: string;
  /** storage.retention.archiveAfterDays (or --older-than): null keeps everything. */
  archiveAfterDays: number | null;
  /**
   * 'full' (the CLI): ANALYZE everything, VACUUM when asked. 'scheduled' (the kernel, while
   * monitors run): ANALYZE samples (analysis_limit), VACUUM only when a quarter of the file is free pages.
   */
  mode: 'full' | 'scheduled';
  now?: number;
  /** Awaited between archive chunks (the kernel lets ingest run in between). */
  pause?: () => Promise<void>;
  /** False once the database was closed under us (the kernel stopped): the run ends early. */
  stillOpen?: () => boolean;
}

export type Skipped = { skipped: string };
export interface MaintenanceReport {
  archive: (ArchiveCounts & { cutoff: number; archivePath: string; ms: number }) | Skipped;
  analyze: { ms: number } | Skipped;
  vacuum: { ms: number; before: number; after: number } | Skipped;
  checkpoint: { ms: number; busy: boolean; walFrames: number; checkpointed: number } | Skipped;
  sizeBefore: number;
  sizeAfter: number;
  /** Warnings worth a person's attention (a skipped VACUUM for lack of space, a busy checkpoint). */
  warnings: string[];
}

const ms = (t0: number) => Math.round(performance.now() - t0);

/** Archive old events, ANALYZE, VACUUM, checkpoint the WAL, in that order, each as asked. */
export async function runMaintenance(db: Db, plan: MaintenancePlan): Promise<MaintenanceReport> {
  const open = plan.stillOpen ?? (() => db.open);
  const warnings: string[] = [];
  const sizeBefore = databaseBytes(plan.databasePath);
  const report: MaintenanceReport = {
    archive: { skipped: 'not asked' },
    analyze: { skipped: 'not asked' },
    vacuum: { skipped: 'not asked' },
    checkpoint: { skipped: 'not asked' },
    sizeBefore,
    sizeAfter: sizeBefore,
    warnings,
  };

  if (plan.tasks.archive) {
    if (plan.archiveAfterDays === null) report.archive = { skipped: 'off (storage.retention.archiveAfterDays is not set; everything is kept)' };
    else {
      const t0 = performance.now();
      const cutoff = (plan.now ?? Date.now()) - plan.archiveAfterDays * DAY_MS;
      const a = new Archiver(db, plan.archivePath, cutoff);
      try {
        while (open() && a.step() > 0) if (plan.pause) await plan.pause();
        const counts = open() ? a.counts() : { moved: a.moved, keptUnsynced: 0, keptUnfolded: 0, heldBy: null };
        report.archive = { ...counts, cutoff, archivePath: plan.archivePath, ms: ms(t0) };
        if (counts.keptUnfolded) warnings.push(`${counts.keptUnfolded} old event(s) kept: projection ${counts.heldBy} has not folded them yet`);
      } finally {
        if (open()) a.close();
      }
    }
  }
  if (!open()) return report;

  if (plan.tasks.analyze) {
    const t0 = performance.now();
    if (plan.mode === 'scheduled') db.pragma('analysis_limit = 1000');
    try {
      db.exec('ANALYZE');
    } finally {
      if (plan.mode === 'scheduled') db.pragma('analysis_limit = 0');
    }
    report.analyze = { ms: ms(t0) };
  }

  if (plan.tasks.vacuum) report.vacuum = vacuum(db, plan, warnings);

  if (plan.tasks.checkpoint) {
    const t0 = performance.now();
    const [r] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
    report.checkpoint = { ms: ms(t0), busy: r?.busy === 1, walFrames: r?.log ?? 0, checkpointed: r?.checkpointed ?? 0 };
    if (r?.busy === 1) warnings.push('checkpoint: another process was reading or writing; the WAL was not truncated (it is on the next run)');
  }
  report.sizeAfter = databaseBytes(plan.databasePath);
  return report;
}

function vacuum(db: Db, plan: MaintenancePlan, warnings: string[]): MaintenanceReport['vacuum'] {
  const pages = (db.pragma('page_count', { simple: true }) as number) || 1;
  const freePages = db.pragma('freelist_count', { simple: true }) as number;
  if (plan.mode === 'scheduled' && freePages / pages < 0.25) return { skipped: `only ${Math.round((100 * freePages) / pages)}% of the file is free pages` };
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const before = pages * pageSize;
  // VACUUM writes a full copy (a temp file) and, in WAL mode, every page through the WAL.
  const need = 2 * before;
  const free = freeBytes(dirname(plan.databasePath));
  // (the logical size: pages in use; the WAL is written back by the checkpoint)
  if (free !== null && free < need) {
    const why = `VACUUM skipped: it needs about ${bytes(need)} free next to the database, ${bytes(free)} is free`;
    warnings.push(why);
    return { skipped: why };
  }
  const t0 = performance.now();
  try {
    db.exec('VACUUM');
  } catch (e) {
    const why = `VACUUM skipped: ${messageOf(e)} (another process is using the database; try again when it is idle)`;
    warnings.push(why);
    return { skipped: why };
  }
  return { ms: ms(t0), before, after: (db.pragma('page_count', { simple: true }) as number) * pageSize };
}

/** One line per step, for `devflow maintenance` and the kernel's log. */
export function describeMaintenance(r: MaintenanceReport): string[] {
  const lines: string[] = [];
  const a = r.archive;
  if ('skipped' in a) lines.push(`archive     ${a.skipped}`);
  else {
    const kept = [a.keptUnsynced ? `${a.keptUnsynced} kept (not synced yet)` : '', a.keptUnfolded ? `${a.keptUnfolded} kept (projection ${a.heldBy} is behind)` : ''].filter(Boolean);
    lines.push(`archive     moved ${a.moved} event(s) older than ${new Date(a.cutoff).toISOString()} to ${a.archivePath}${kept.length ? `; ${kept.join(', ')}` : ''} (${a.ms} ms)`);
  }
  lines.push('skipped' in r.analyze ? `analyze     ${r.analyze.skipped}` : `analyze     done (${r.analyze.ms} ms)`);
  lines.push('skipped' in r.vacuum ? `vacuum      ${r.vacuum.skipped}` : `vacuum      ${bytes(r.vacuum.before)} -> ${bytes(r.vacuum.after)} (${r.vacuum.ms} ms)`);
  const c = r.checkpoint;
  lines.push('skipped' in c ? `checkpoint  ${c.skipped}` : `checkpoint  ${c.checkpointed}/${c.walFrames} WAL frame(s) written back${c.busy ? ', WAL in use (not truncated)' : ', WAL truncated'} (${c.ms} ms)`);
  lines.push(`database    ${bytes(r.sizeBefore)} -> ${bytes(r.sizeAfter)} (file + WAL)`);
  return lines;
}

/** The audit record every maintenance run leaves (the scheduler reads the last one). */
export const MAINTENANCE_ACTION = 'maintenance:run';

export function auditDetail(r: MaintenanceReport): Record<string, unknown> {
  return {
    archived: 'skipped' in r.archive ? null : r.archive.moved,
    vacuumed: !('skipped' in r.vacuum),
    sizeBefore: r.sizeBefore,
    sizeAfter: r.sizeAfter,
    warnings: r.warnings.length,
  };
}
