import { definePlugin } from '@devflow/plugin-sdk';
import { Sampler } from './sampler.js';
import { MIGRATIONS, SampleStore } from './store.js';
import { ThresholdTracker } from './thresholds.js';

const DAY = 86_400_000;

/**
 * DevFlow's own health: the kernel process's CPU, memory, event-loop lag, database size, event
 * queue depth and ingest rate, sampled every `intervalMs` into its own table, with a warning
 * event when a threshold holds for `holdMs`. Samples in the process that runs the monitors.
 */
export default definePlugin({
  id: 'system-monitor',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: "DevFlow's own health: CPU, memory, event-loop lag, database size, queue depth, ingest rate.",
  permissions: ['system:read'],
  migrations: MIGRATIONS,
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      intervalMs: { type: 'integer', minimum: 50, default: 60_000, description: 'How often to sample.' },
      retentionDays: { type: 'integer', minimum: 1, maximum: 365, default: 7 },
      holdMs: { type: 'integer', minimum: 0, default: 300_000, description: 'How long a threshold must be exceeded before the warning.' },
      thresholds: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: {
          rssMb: { type: 'number', minimum: 0, default: 1024 },
          cpuPercent: { type: 'number', minimum: 0, default: 90 },
          loopLagP99Ms: { type: 'number', minimum: 0, default: 250 },
          queueDepth: { type: 'number', minimum: 0, default: 50_000 },
          dbMb: { type: 'number', minimum: 0, default: 4096 },
        },
      },
    },
  },
  start(ctx) {
    const store = new SampleStore(ctx.storage.db);
    const readings = {
      dbBytes: () => ctx.kernel.status().database.sizeBytes,
      queueDepth: () => ctx.kernel.status().ingest.pending,
      committed: () => ctx.kernel.status().ingest.committed,
    };
    ctx.lease.whileHeld(() => {
      const sampler = new Sampler(readings);
      const tracker = new ThresholdTracker(Object.entries(ctx.config.thresholds).map(([metric, max]) => ({ metric, max: max as number })), ctx.config.holdMs);
      const timer = ctx.scheduler.every(ctx.config.intervalMs, async () => {
        const s = sampler.sample();
        store.add(s);
        for (const change of tracker.observe(s as unknown as Record<string, number>, s.ts)) {
          await ctx.events.emit(`system-monitor.threshold.${change.state}`, { ...change, holdMs: ctx.config.holdMs, pid: process.pid }, { severity: change.state === 'exceeded' ? 'warn' : 'info' });
        }
      });
      const pruner = ctx.scheduler.every(Math.min(ctx.config.intervalMs * 60, 3_600_000), () => void store.prune(Date.now() - ctx.config.retentionDays * DAY), { immediate: true });
      return () => {
        timer.dispose();
        pruner.dispose();
        sampler.close();
      };
    });

    ctx.tools.register(
      {
        name: 'system_health',
        title: "DevFlow's own health",
        description: 'How the DevFlow process itself is doing over the last minutes: CPU, memory, event-loop lag, database size, event queue and ingest rate (latest, average, max), and thresholds currently exceeded. Use it when DevFlow seems slow or stuck.',
        group: 'system',
        permission: 'system:read',
        annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
        inputSchema: { type: 'object', additionalProperties: false, properties: { minutes: { type: 'integer', minimum: 1, maximum: 10_080, default: 60 } } },
        outputSchema: {
          type: 'object',
          properties: { samples: { type: 'integer' }, latest: { type: ['object', 'null'] }, avg: { type: 'object' }, max: { type: 'object' }, thresholds: { type: 'object' } },
          required: ['samples', 'latest', 'avg', 'max'],
        },
      },
      ({ minutes }) => ({ ...store.window(Date.now() - minutes * 60_000), thresholds: { ...ctx.config.thresholds } }),
    );
  },
});
