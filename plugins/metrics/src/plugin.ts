import { definePlugin } from '@devflow/plugin-sdk';
import { configSchema, projectionVersion, toSettings } from './config.js';
import { migrations } from './migrations.js';
import { metricsProjection } from './projection.js';
import { Queries, type MetricsQuery, type SeriesBucket, type SeriesMetric } from './queries.js';
import { Reader } from './reader.js';
import { registerMetricsTools } from './tools.js';

/** Bump when the fold changes meaning: the tables are then rebuilt from the log. */
const FOLD_VERSION = 4;

/**
 * Active time, commits, tests, churn, AI share and rework, and DORA, kept in hour and day
 * rollups by a projection the kernel runs inside the ingest transaction (and catches up from the
 * log), so live and after-the-fact numbers agree. Tools and the API read only its own tables.
 */
export default definePlugin({
  id: 'metrics',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: 'Active time, commits, tests, churn, AI share and rework, and DORA metrics, with hour and day rollups kept in the ingest transaction.',
  permissions: ['metrics:read'],
  config: configSchema,
  migrations,
  start(ctx) {
    const { settings, problems } = toSettings(ctx.config);
    for (const p of problems) {
      ctx.logger.error(
        { code: 'METRICS_ERR_PATTERN', plugin: 'metrics', key: p.key },
        `[metrics] METRICS_ERR_PATTERN: plugins.metrics.config.${p.key} "${p.pattern}" is not a valid regular expression (${p.message}); the default is used until it is fixed`,
      );
    }
    const db = ctx.storage.db;
    const handle = ctx.storage.projection(
      metricsProjection({
        db,
        settings,
        version: projectionVersion(FOLD_VERSION, ctx.config),
        readEvent: (seq) => ctx.storage.events.get(seq),
        onSkipped: (count, first) =>
          ctx.logger.warn(
            { code: 'METRICS_ERR_EVENT_SKIPPED', plugin: 'metrics', count, ...first },
            `[metrics] METRICS_ERR_EVENT_SKIPPED: ${count} event(s) could not be folded and were skipped; first ${first.type} #${first.seq}: ${first.message}`,
          ),
      }),
    );
    const queries = new Queries(new Reader(db, settings.offsetMs), settings);
    registerMetricsTools(ctx, queries, settings);

    return {
      /** Resolves when the rollups have caught up with the log. */
      ready: handle.ready,
      /** Empty the tables and fold the whole log again. */
      rebuild: () => handle.rebuild(),
      /** Where the projection stands (cursor, lag, state). */
      status: () => handle.status(),
      /** Everyday numbers of a window (see README "Definitions"); `{ details: false }`: totals and ratios only (no p50s, streak, flaky tests, coverage). */
      summary: (q: MetricsQuery, o?: { details?: boolean }) => queries.summary(q, o),
      /** DORA metrics of a window. */
      dora: (q: MetricsQuery) => queries.dora(q),
      /** One metric per hour/day/week bucket, zeros included (≤ 2,000 points, the latest kept). */
      series: (q: MetricsQuery & { metric: SeriesMetric; bucket: SeriesBucket }) => queries.series(q),
      /** One metric summed over [now - windowMs, now). */
      value: (metric: SeriesMetric, q: { project?: string | null; windowMs: number; now?: number }) => queries.value(metric, q),
    };
  },
});
