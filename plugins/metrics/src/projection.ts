// The fold of the event log into metrics' tables: which events count, and where each goes.
// Runs inside the kernel's ingest transaction; catches up from the log the same way. No kernel imports.
import type { ProjectionDefinition, SqlDatabase, StoredEvent } from '@devflow/plugin-sdk';
import { Activity } from './activity.js';
import type { Settings } from './config.js';
import { DoraFold } from './dora-fold.js';
import { effectiveTs, obj, str } from './fields.js';
import { GitFold } from './git-fold.js';
import { resetTables } from './migrations.js';
import { Rollups } from './rollups.js';
import { TestsFold } from './tests-fold.js';

/** The event types folded. */
export const PROJECTION_TYPES = [
  'file-monitor.file.changed',
  'file-monitor.file.renamed',
  'file-monitor.files.bulk-changed',
  'git-monitor.commit.created',
  'git-monitor.branch.switched',
  'git-monitor.merge.detected',
  'git-monitor.tag.created',
  'test-monitor.run.finished',
  'test-monitor.build.finished',
  'test-monitor.deploy.finished',
  'test-monitor.report.parsed',
  'ai-monitor.session.updated',
  'ai-monitor.session.ended',
  'ai-monitor.commit.attributed',
] as const;

export interface ProjectionDeps {
  db: SqlDatabase;
  settings: Settings;
  version: number;
  /** A stored event by its `seq`. */
  readEvent: (seq: number) => StoredEvent | undefined;
  /** Told once per batch that had events it could not fold (they are skipped, never fatal). */
  onSkipped: (count: number, first: { type: string; seq: number; message: string }) => void;
}

export function metricsProjection(deps: ProjectionDeps): ProjectionDefinition {
  const { db, settings } = deps;
  const rollups = new Rollups(db, settings.offsetMs);
  const activity = new Activity(db, settings, rollups);
  const dora = new DoraFold(db, settings.failureWindowMs, rollups);
  const git = new GitFold(db, settings, rollups, activity, dora, deps.readEvent);
  const tests = new TestsFold(db, rollups);

  const forget = () => {
    rollups.discard();
    rollups.forget();
    activity.forget();
    tests.forget();
    dora.forget();
    git.forget();
  };

  const fold = (e: StoredEvent) => {
    const ts = effectiveTs(e.ts, e.id, settings.maxFutureMs);
    if (ts === null) return;
    const d = obj(e.data);
    const p = activity.project(e.project ?? str(d.project, 4096));
    switch (e.type) {
      case 'file-monitor.file.changed': // most events: first, before a dozen string comparisons
        return activity.heartbeat(p, ts);
      case 'git-monitor.commit.created':
        return git.commit(e, p, ts);
      case 'git-monitor.branch.switched':
        return activity.switchBranch(p, d.detached === true ? null : str(d.to, 500));
      case 'git-monitor.merge.detected':
        return git.merge(e, p, ts);
      case 'git-monitor.tag.created':
        return git.tag(e, p, ts);
      case 'ai-monitor.commit.attributed':
        return git.attributed(e, p);
      case 'test-monitor.run.finished':
        activity.heartbeat(p, ts);
        return tests.run(e, p, ts);
      case 'test-monitor.build.finished':
        return tests.build(e, p, ts);
      case 'test-monitor.deploy.finished':
        return git.deployRun(e, p, ts);
      case 'test-monitor.report.parsed':
        return tests.report(e, p, ts);
      case 'ai-monitor.session.updated':
      case 'ai-monitor.session.ended':
        activity.heartbeat(p, ts);
        return tests.aiSession(e, p, ts);
      default:
        return activity.heartbeat(p, ts);
    }
  };

  return {
    name: 'metrics',
    version: deps.version,
    types: PROJECTION_TYPES,
    reset: resetTables,
    apply(events, tx) {
      // What the folds cache between batches (ids, open sessions, AI-line pools, histogram rows)
      // holds only while this process's folds follow each other; otherwise read it all again.
      if (!tx.continues) forget();
      let skipped = 0;
      let first: { type: string; seq: number; message: string } | null = null;
      try {
        for (const e of events) {
          try {
            fold(e);
          } catch (err) {
            skipped++;
            first ??= { type: e.type, seq: e.seq, message: (err as Error).message };
          }
        }
        activity.end();
        rollups.flush();
        tests.end();
      } catch (err) {
        forget(); // the batch rolls back: what the caches learned from it is not in the tables
        throw err;
      } finally {
        rollups.discard();
      }
      if (first) deps.onSkipped(skipped, first);
    },
  };
}
