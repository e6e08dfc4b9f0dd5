import { definePlugin } from '@devflow/plugin-sdk';
import { configSchema } from './config.js';
import './events.js';
import { StageFold } from './fold.js';
import { StageQueries } from './queries.js';
import { setup } from './setup.js';
import { StageStore, migrations } from './store.js';
import { registerStageTools } from './tools.js';

/**
 * Recognizes where each project is in its life cycle (PRD → … → operation, with coding
 * sub-stages) from the event log, by rules that are data, with hysteresis, confidence and evidence.
 */
export default definePlugin({
  id: 'stage-analyzer',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: 'Recognizes the development stage of each project (PRD to operation, with coding sub-stages) from the event log, with confidence and evidence.',
  permissions: ['stages:read'],
  config: configSchema,
  migrations,
  start(ctx) {
    const s = setup(ctx.config);
    for (const p of s.problems) {
      const log = p.code === 'STAGE_ERR_RULE_INVALID' ? ctx.logger.error.bind(ctx.logger) : ctx.logger.warn.bind(ctx.logger);
      log({ code: p.code, rule: p.rule }, `stage-analyzer: ${p.code}: rule "${p.rule}": ${p.message}`);
    }
    const store = new StageStore(ctx.storage.db);
    const fold = new StageFold(store, s.rules, s.options);
    const queries = new StageQueries(store, s.options);
    registerStageTools(ctx, queries);
    const handle = s.types.length
      ? ctx.storage.projection({
          name: 'stages',
          version: s.version,
          types: s.types,
          reset: () => store.reset(),
          apply: (events, tx) => fold.apply(events, (data) => tx.emit('stage-analyzer.stage.changed', data, { project: data.project, ts: data.at })),
        })
      : (ctx.logger.warn({ rules: 0 }, 'stage-analyzer: no rule is enabled (defaultRules false and no valid rules); nothing will be recognized'), null);

    return {
      /** The current stage of a project, or null when it has none yet. */
      current: (project: string) => queries.current(project),
      /** Time per stage within [since, until) (ms of event time), longest first. */
      durations: (project: string, since?: number, until?: number) => queries.durations(project, since, until),
      /** Transitions still open at or after `since`, newest first (≤ limit). */
      history: (project: string, since = 0, limit = 20) => queries.history(project, since, limit).transitions,
      /** Events skipped, by reason (no-project, future, stale, bad-time). */
      ignored: () => store.ignored(),
      /** Resolves once the stage tables have caught up with the log. */
      ready: () => handle?.ready ?? Promise.resolve(),
      /** Empty the stage tables and fold the whole log again. */
      rebuild: () => handle?.rebuild() ?? Promise.resolve(),
    };
  },
});
