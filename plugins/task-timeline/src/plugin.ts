import { definePlugin } from '@devflow/plugin-sdk';
import { configSchema, projectionVersion } from './config.js';
import type { ContextView } from './context.js';
import { TimelineFold } from './fold.js';
import { IssueKeys } from './keys.js';
import { migrations } from './migrations.js';
import { TimelineQueries } from './queries.js';
import { TimelineStore } from './store.js';
import { buildTimeline, type TimelineView } from './timeline-view.js';
import { registerTimelineTools } from './tools.js';

/** Event types folded into timelines (integrations: anything from github, gitlab or jira). */
export const FOLDED_TYPES = [
  'file-monitor.file.changed',
  'file-monitor.file.renamed',
  'file-monitor.files.bulk-changed',
  'git-monitor.commit.created',
  'git-monitor.branch.switched',
  'git-monitor.branch.created',
  'git-monitor.branch.deleted',
  'git-monitor.merge.detected',
  'git-monitor.history.rewritten',
  'ai-monitor.session.updated',
  'ai-monitor.session.ended',
  'ai-monitor.commit.attributed',
  'test-monitor.run.finished',
  'test-monitor.build.finished',
  'test-monitor.deploy.finished',
  'stage-analyzer.stage.changed',
  'bottleneck-detector.bottleneck.opened',
  'bottleneck-detector.bottleneck.resolved',
  'github.*',
  'gitlab.*',
  'jira.*',
] as const;

/** What `ctx.use('task-timeline')` returns. */
export interface TaskTimelineApi {
  /** The devflow_context structured output for a project (default: the most recently active). */
  context(project?: string): ContextView;
  /** A task's entries in time order (task: issue key or branch). */
  timeline(task: string, opts?: { project?: string; limit?: number; since?: number }): TimelineView;
  /** Resolves once the timeline has folded every stored event (e.g. after starting on an existing database). */
  ready(): Promise<void>;
  /** Empty the tables and fold the whole log again; resolves when caught up. */
  rebuild(): Promise<void>;
}

/**
 * One ordered timeline per task (branch or issue key) joining edits, AI sessions, commits, runs,
 * merges, deploys and integration events, folded by a projection into task-timeline's tables; and
 * the compact in-loop context for assistants.
 */
export default definePlugin({
  id: 'task-timeline',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: 'One ordered timeline per task (branch or issue key) and a compact in-loop context tool for assistants.',
  permissions: ['tasks:read'],
  config: configSchema,
  migrations,
  start(ctx): TaskTimelineApi {
    const c = ctx.config;
    const keys = new IssueKeys(c.issueKeyPrefixes);
    const store = new TimelineStore(ctx.storage.db);
    const queries = new TimelineQueries(ctx.storage.db);
    let failures = 0;
    const fold = new TimelineFold(store, {
      burstGapMs: c.burstGapMinutes * 60_000,
      idleMs: c.idleMinutes * 60_000,
      defaultBranches: new Set(c.defaultBranches),
      keys,
      onError: (e, err) => {
        if (failures++ < 20) ctx.logger.warn({ eventId: e.id, type: e.type, err: (err as Error).message }, `task-timeline: skipped ${e.type} ${e.id}: ${(err as Error).message}`);
      },
    });
    const handle = ctx.storage.projection({
      name: 'timeline',
      version: projectionVersion(c),
      types: FOLDED_TYPES,
      reset: () => store.reset(),
      apply: (events) => fold.apply(events),
    });
    // Old hot-file buckets are never read (see TimelineStore.prune); dropping them keeps the table small.
    ctx.scheduler.every(3_600_000, () => {
      const dropped = store.prune();
      if (dropped) ctx.logger.debug({ dropped }, 'task-timeline: dropped old hot-file buckets');
    });
    const { context } = registerTimelineTools(ctx, { queries, keys, hotFilesHours: c.hotFilesHours, now: Date.now });
    return {
      context,
      ready: () => handle.ready,
      rebuild: () => handle.rebuild(),
      timeline: (task, opts = {}) =>
        buildTimeline(queries, keys, { task, ...(opts.project !== undefined ? { project: opts.project } : {}), limit: Math.min(200, Math.max(1, opts.limit ?? 30)), since: opts.since ?? null }),
    };
  },
});
