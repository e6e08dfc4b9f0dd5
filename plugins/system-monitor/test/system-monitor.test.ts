import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestKernel } from '@devflow/core/testing';
import systemMonitor from '../src/index.js';
import { Sampler } from '../src/sampler.js';
import { ThresholdTracker } from '../src/thresholds.js';

test('a threshold warns only after it has held for the hold time, once, and clears once', () => {
  const t = new ThresholdTracker([{ metric: 'rssMb', max: 100 }], 1000);
  assert.deepEqual(t.observe({ rssMb: 150 }, 0), []);
  assert.deepEqual(t.observe({ rssMb: 160 }, 500), [], 'not yet held for 1 s');
  assert.deepEqual(t.observe({ rssMb: 90 }, 800), [], 'dipped below: the clock restarts, nothing to clear');
  assert.deepEqual(t.observe({ rssMb: 150 }, 900), []);
  const over = t.observe({ rssMb: 170 }, 1900);
  assert.deepEqual(over, [{ metric: 'rssMb', state: 'exceeded', value: 170, max: 100, since: 900 }]);
  assert.deepEqual(t.observe({ rssMb: 180 }, 5000), [], 'reported once');
  assert.deepEqual(t.exceeded(), ['rssMb']);
  assert.deepEqual(t.observe({ rssMb: 50 }, 6000), [{ metric: 'rssMb', state: 'cleared', value: 50, max: 100, since: 900 }]);
  assert.deepEqual(t.observe({ other: 1, rssMb: Number.NaN }, 7000), [], 'unknown metrics and NaN are ignored');
});

test('the sampler measures this process and the kernel readings', async () => {
  let committed = 0;
  const sampler = new Sampler({ dbBytes: () => 5 * 1048576, queueDepth: () => 7, committed: () => committed });
  const started = Date.now();
  while (Date.now() - started < 60) Math.sqrt(Math.random()); // some CPU
  committed = 100;
  const s = sampler.sample();
  sampler.close();
  assert.ok(s.cpuPercent > 0, `cpu ${s.cpuPercent}`);
  assert.ok(s.rssMb > 10 && s.heapUsedMb > 1);
  assert.equal(s.dbMb, 5);
  assert.equal(s.queueDepth, 7);
  assert.ok(s.ingestPerSec > 0);
  assert.ok(Number.isFinite(s.loopLagP99Ms) && Number.isFinite(s.loopLagMaxMs));
});

test('system-monitor samples into its table, warns when a threshold holds, and answers system_health', async (t) => {
  const tk = await createTestKernel({
    plugins: [systemMonitor],
    config: { plugins: { 'system-monitor': { config: { intervalMs: 50, holdMs: 100, thresholds: { rssMb: 1 } } } } },
    t,
  });
  const warning = await tk.waitForEvent((e) => e.type === 'system-monitor.threshold.exceeded', 10_000);
  assert.equal(warning.severity, 'warn');
  assert.equal((warning.data as { metric: string }).metric, 'rssMb');
  const r = await tk.callTool('system_health', { minutes: 5 });
  assert.ok(r.ok, JSON.stringify(r));
  const health = r.value as { samples: number; latest: { rssMb: number }; max: { rssMb: number } };
  assert.ok(health.samples >= 3, `samples: ${health.samples}`);
  assert.ok(health.latest.rssMb > 1 && health.max.rssMb >= health.latest.rssMb);
  const bad = await tk.callTool('system_health', { minutes: 0 });
  assert.equal(bad.ok, false);
});

test('system-monitor refuses a sampling interval that would hammer the machine', async () => {
  await assert.rejects(
    createTestKernel({ plugins: [systemMonitor], config: { plugins: { 'system-monitor': { config: { intervalMs: 1 } } } } }),
    /\[system-monitor\] KRN_ERR_CONFIG_INVALID: .*intervalMs must be >= 50/,
  );
});
