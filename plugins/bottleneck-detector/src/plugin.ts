import { definePlugin } from '@devflow/plugin-sdk';
import { configSchema, type DetectorConfig } from './config.js';
import { Engine } from './engine.js';
import './events.js';
import type { Emit, Finding } from './findings.js';
import { FOLDED_TYPES, Folder } from './ingest.js';
import { migrations, T, TABLES } from './migrations.js';
import { resolveRules, rulesHash, type RuleProblem } from './rule-config.js';
import { registerTools } from './tools.js';

/** Bump when the fold's meaning changes (the rule settings are hashed into the version too). */
const LOGIC_VERSION = 1;

/**
 * Finds what slows work down. A projection folds git, test-run, stage and PR events into fact
 * tables and evaluates the rules at event time, opening and resolving findings as events; the
 * lease-holding process also re-checks the time-based rules against the wall clock.
 */
export default definePlugin({
  id: 'bottleneck-detector',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: 'Finds what slows work down (long-lived branches, red or flaky tests, slow builds, hot files, long stages, WIP spread, waiting reviews) with rules and anomaly detection.',
  permissions: ['bottlenecks:read'],
  config: configSchema,
  migrations,
  start(ctx) {
    const c = ctx.config as unknown as DetectorConfig;
    const rules = resolveRules(c.rules, c.projects);
    for (const p of rules.problems) {
      ctx.logger.error({ code: 'BOTTLENECK_ERR_RULE_INVALID', plugin: ctx.id, rule: p.rule, project: p.project }, `[bottleneck-detector] BOTTLENECK_ERR_RULE_INVALID: ${p.message}`);
    }
    const engine = new Engine(ctx.storage.db, { rules, defaultBranches: c.defaultBranches, maxClockSkewMs: c.maxClockSkewMinutes * 60_000 });
    const folder = new Folder(engine);
    const handle = ctx.storage.projection({
      name: 'findings',
      version: rulesHash(rules, [LOGIC_VERSION, c.defaultBranches, c.maxClockSkewMinutes]),
      types: FOLDED_TYPES,
      reset: (db) => {
        for (const t of TABLES) db.exec(`DELETE FROM ${T}${t}`);
      },
      apply(events, tx) {
        const emit: Emit | null = tx.rebuilding ? null : (type, data, project, ts, severity) => tx.emit(type, data as never, { project, ts, severity });
        folder.begin();
        try {
          for (const e of events) {
            try {
              folder.fold(e, emit);
            } catch (err) {
              // Bad data the readers did not catch must not stop the projection: skip the event.
              if (++folder.skipped <= 5) ctx.logger.warn({ event: e.id, type: e.type, err: (err as Error).message }, `bottleneck-detector: skipped event ${e.id} (${e.type}): ${(err as Error).message}`);
            }
          }
        } finally {
          folder.end();
        }
      },
    });
    registerTools(ctx, engine.findings, engine.facts, rules.problems);

    /** Re-check the time-based rules at `now`; each change becomes an event the projection folds. */
    const evaluateNow = async (now: number = Date.now()): Promise<number> => {
      await handle.ready;
      if (handle.status().state !== 'live') return 0;
      const changes = engine.clockCheck(now);
      await Promise.all(changes.map((ch) => ctx.events.emit(`bottleneck-detector.bottleneck.${ch.type}`, ch.data as never, { project: ch.project, ts: ch.now, severity: ch.severity })));
      return changes.length;
    };
    ctx.lease.whileHeld(() => ctx.scheduler.every(c.evaluateEverySec * 1000, () => evaluateNow().then(() => undefined)));

    return {
      /** Open findings, most severe first (of one project, or all when omitted). */
      open: (project?: string | null): Finding[] => engine.findings.list({ project: project ?? null, status: 'open', minRank: 0, rule: null, since: 0, limit: 1000 }),
      /** Problems found in the rule settings (each rule named). */
      problems: (): readonly RuleProblem[] => rules.problems,
      /** Resolves once the projection caught up with the log. */
      ready: (): Promise<void> => handle.ready,
      /** Reset the tables and fold the whole log again (no events are emitted while rebuilding). */
      rebuild: (): Promise<void> => handle.rebuild(),
      /** Run the wall-clock check now (or at `now`); resolves with the number of findings opened or resolved. */
      evaluateNow,
    };
  },
});
