import { definePlugin } from '@devflow/plugin-sdk';
import { join } from 'node:path';
import { configSchema, type ReportsConfig } from './config.js';
import type { BottleneckApi, MetricsApi, NotificationsApi, StageAnalyzerApi } from './contracts.js';
import { windowFor } from './period.js';
import { checkSchedules, startSchedules, type CronCtor } from './schedules.js';
import { ReportService, type GeneratedEvent, type ReportQuery } from './service.js';
import { ReportStore, migrations, reportProjection } from './store.js';
import { registerReportTools } from './tools.js';

declare module '@devflow/plugin-sdk' {
  interface DevflowEventMap {
    'reports.report.generated': GeneratedEvent;
  }
}

/**
 * Daily, weekly and sprint reports in Markdown, self-contained HTML (inline SVG charts) and JSON,
 * on demand (tool, API) and on croner schedules run by the lease holder, delivered to files and
 * through the notifications plugin.
 */
export default definePlugin({
  id: 'reports',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: 'Daily, weekly and sprint reports in Markdown, self-contained HTML with SVG charts, and JSON; on demand and on a schedule.',
  dependencies: { metrics: '^1.0.0' },
  optionalDependencies: { 'stage-analyzer': '^1.0.0', 'bottleneck-detector': '^1.0.0', notifications: '^1.0.0' },
  permissions: ['reports:read'],
  config: configSchema,
  migrations,
  async start(ctx) {
    const config = ctx.config as unknown as ReportsConfig;
    const db = ctx.storage.db;
    const store = new ReportStore(db);
    const facts = ctx.storage.projection(reportProjection(db));
    const service = new ReportService({
      config,
      store,
      reportsDir: join(ctx.storage.dataDir, 'reports'),
      sources: () => ({
        metrics: ctx.use('metrics') as MetricsApi,
        stages: ctx.use('stage-analyzer', { optional: true }) as StageAnalyzerApi | undefined,
        bottlenecks: ctx.use('bottleneck-detector', { optional: true }) as BottleneckApi | undefined,
        store,
        projects: ctx.projects,
      }),
      notifications: () => ctx.use('notifications', { optional: true }) as NotificationsApi | undefined,
      emit: (e) => void ctx.events.emit('reports.report.generated', e),
    });
    registerReportTools(ctx, service, store, () => facts.ready);

    try {
      windowFor('sprint', Date.now(), { timeZone: config.timeZone, sprint: config.sprint });
    } catch (e) {
      ctx.logger.error({ code: 'REPORTS_ERR_SPRINT_INVALID' }, `reports: ${(e as Error).message}; sprint reports fail until sprint.start is a real date`);
    }

    if (config.schedules.length) {
      const { Cron } = await import('croner');
      const tz = config.timeZone === 'utc' ? 'Etc/UTC' : undefined;
      const { ok, problems } = checkSchedules(config.schedules, Cron as unknown as CronCtor, tz);
      for (const p of problems) ctx.logger.error({ code: 'REPORTS_ERR_SCHEDULE_INVALID', schedule: p.name }, `reports: ${p.message}; this schedule does not run, the others do`);
      if (ok.some((s) => s.deliver.notify) && !ctx.use('notifications', { optional: true })) {
        ctx.logger.warn({ code: 'REPORTS_ERR_DELIVERY' }, 'reports: a schedule has deliver.notify but the notifications plugin is not enabled; those reports are written to files only');
      }
      const fire = async (s: (typeof ok)[number], at: number) => {
        try {
          const r = await ctx.track(service.runSchedule(s, at));
          ctx.logger.info({ schedule: s.name, file: r.file, bytes: r.bytes, channels: r.channels }, `reports: schedule "${s.name}" wrote ${r.file}`);
        } catch (e) {
          ctx.logger.error({ code: 'REPORTS_ERR_DELIVERY', schedule: s.name, err: (e as Error).message }, `reports: schedule "${s.name}" failed: ${(e as Error).message}`);
        }
      };
      if (ok.length) ctx.lease.whileHeld(() => startSchedules(ok, Cron as unknown as CronCtor, tz, fire));
    }

    return {
      /** Render a report (the contract): `{ content, from, to, mime }`; emits `reports.report.generated`. */
      generate: (q: ReportQuery) => {
        const { content, from, to, mime } = service.generate(q);
        return { content, from, to, mime };
      },
      /** Render and write atomically to `file` (default under the plugin's data dir): `{ file, bytes, from, to, mime }`. */
      save: (q: ReportQuery, file?: string) => {
        const { file: f, bytes, from, to, mime } = service.save(q, file);
        return { file: f, bytes, from, to, mime };
      },
      /** The report as data (what the JSON format contains). */
      data: (q: Omit<ReportQuery, 'format'>) => service.data(q),
      /** Resolves once reports' own tables have caught up with the event log. */
      ready: facts.ready,
      /** Empty reports' own tables and fold the whole event log again; resolves when caught up. */
      rebuild: () => facts.rebuild(),
    };
  },
});
