// Live and after-the-fact computation agree: a kernel folding events as they are stored, a kernel
// that starts metrics after the events already exist (catch-up), and a rebuild give identical answers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { feed, kernelWith, MIN, t, type MetricsApi } from './helpers.js';
import { SERIES_METRICS } from '../src/index.js';

const ALL = ['activity', 'tests', 'report', 'ai', 'dora'];
const PROJECTS = [null, '/p/app', '/p/tests', '/p/ai', '/p/svc', '/p/lib'];
const WINDOWS = [
  { since: t('2025-03-03T00:00:00Z'), until: t('2025-03-04T00:00:00Z') },
  { since: t('2025-03-01T00:00:00Z'), until: t('2025-04-01T00:00:00Z') },
  { since: t('2025-03-03T09:30:00Z'), until: t('2025-03-11T13:15:00Z') },
];

function snapshot(api: MetricsApi) {
  return PROJECTS.flatMap((project) =>
    WINDOWS.map((w) => ({
      summary: api.summary({ project, ...w }),
      dora: api.dora({ project, ...w }),
      series: SERIES_METRICS.map((metric) => (['hour', 'day', 'week'] as const).map((bucket) => api.series({ metric, bucket, project, ...w }))),
    })),
  );
}

test('live, caught-up and rebuilt metrics are identical (API and tools)', async (tc) => {
  const live = await kernelWith(tc);
  await feed(live, ...ALL);
  const expected = snapshot(live.api);
  const tool = async (k: { tk: { callTool(n: string, a: unknown): Promise<unknown> } }) =>
    k.tk.callTool('metrics_summary', { since: '2025-03-01T00:00:00Z', until: '2025-04-01T00:00:00Z' }).then((r) => {
      const v = (r as { value: Record<string, unknown> }).value;
      return v;
    });
  const liveTool = await tool(live);

  const home = mkdtempSync(join(tmpdir(), 'metrics-later-'));
  tc.after(() => rmSync(home, { recursive: true, force: true }));
  const before = await kernelWith(tc, { metrics: false, home });
  await feed(before, ...ALL);
  await before.tk.close();

  const later = await kernelWith(tc, { home });
  assert.equal(later.api.status().lag, 0);
  assert.deepEqual(snapshot(later.api), expected);
  assert.deepEqual(await tool(later), liveTool);

  await later.api.rebuild();
  assert.deepEqual(snapshot(later.api), expected);
  assert.ok(expected.some((s) => s.summary.activeMs > 0 && s.dora.deployments > 0), 'the snapshot is not empty');
});

test('changing a folded option (idle timeout) rebuilds the rollups from the log', async (tc) => {
  const home = mkdtempSync(join(tmpdir(), 'metrics-config-'));
  tc.after(() => rmSync(home, { recursive: true, force: true }));
  const day = { project: '/p/app', since: t('2025-03-03T00:00:00Z'), until: t('2025-03-04T00:00:00Z') };
  const first = await kernelWith(tc, { home });
  await feed(first, 'activity');
  assert.equal(first.api.summary(day).activeMs, 67 * MIN);
  await first.tk.close();
  // With a 30-minute timeout the 09:20→09:40 gap counts in full (20 instead of the 1-minute credit): 67 − 1 + 20 = 86.
  const second = await kernelWith(tc, { home, config: { idleTimeoutMinutes: 30 } });
  assert.equal(second.api.summary(day).activeMs, 86 * MIN);
});
