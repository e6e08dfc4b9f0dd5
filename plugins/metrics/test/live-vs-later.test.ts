// Live and after-the-fact computation agree: a kernel folding events as they are stored, a kernel
// that starts metrics after the events already exist (catch-up), and a rebuild give identical answers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { replay, type RecordedEvent } from '@devflow/core/testing';
import { feed, fixture, kernelWith, MIN, t, type MetricsApi } from './helpers.js';
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

/** Two hours of steady work on one project (edits every 2 minutes, a test run and an AI session update every 10): state every batch carries on. */
function steadyWork(): RecordedEvent[] {
  const out: RecordedEvent[] = [];
  const start = t('2025-03-12T10:00:00Z');
  for (let i = 0; i <= 60; i++) {
    const ts = start + i * 2 * MIN;
    out.push({ type: 'file-monitor.file.changed', ts, project: '/p/turns', data: { path: `src/f${i % 5}.ts`, kind: 'modified', linesAdded: 1, linesRemoved: 0 } });
    if (i % 5 === 4) {
      out.push({ type: 'test-monitor.run.finished', ts: ts + 1000, project: '/p/turns', data: { kind: 'test', ok: i % 10 === 4, durationMs: 1000 + i, failed: i % 10 === 4 ? 0 : 1, failingTests: i % 10 === 4 ? [] : ['a > b'] } });
      out.push({ type: 'ai-monitor.session.updated', ts: ts + 2000, project: '/p/turns', data: { tool: 'claude-code', sessionId: 's-turns', activeMs: i * 60_000, tokens: { input: i * 100, output: i * 10 } } });
    }
  }
  return out;
}

test('two processes folding in turn give the same answers (caches kept between batches are dropped when the other folded)', async (tc) => {
  const live = await kernelWith(tc);
  await feed(live, ...ALL);
  await replay(live.tk, steadyWork());
  await live.api.ready;
  const expected = snapshot(live.api);
  const turns = { since: t('2025-03-12T00:00:00Z'), until: t('2025-03-13T00:00:00Z') };
  const steady = live.api.summary({ project: '/p/turns', ...turns });
  assert.ok(steady.activeMs >= 2 * 60 * MIN, `two hours of work count (${steady.activeMs} ms)`);

  const home = mkdtempSync(join(tmpdir(), 'metrics-turns-'));
  tc.after(() => rmSync(home, { recursive: true, force: true }));
  const a = await kernelWith(tc, { home });
  const b = await kernelWith(tc, { home });
  const events = [...ALL.flatMap((n) => fixture(n)), ...steadyWork()];
  // chunks of uneven length, alternating between the two kernels, sometimes a few in a row on one
  for (let i = 0, k = 0; i < events.length; k++) {
    const n = 1 + ((k * 7) % 11);
    await replay((k % 3 === 2 ? a : k % 2 ? b : a).tk, events.slice(i, i + n));
    i += n;
  }
  await a.api.ready;
  await b.api.ready;
  assert.deepEqual(snapshot(a.api), expected, 'answers from the shared tables equal one live kernel');
  assert.deepEqual(snapshot(b.api), expected);
  assert.deepEqual(a.api.summary({ project: '/p/turns', ...turns }), steady);
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
