// The cheap fold keeps the answers: active time from sessions whatever the arrival order, long-window
// percentiles from day bins plus the exact edges, commits found again by hash across days.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replay, type RecordedEvent } from '@devflow/core/testing';
import { hashKey } from '../src/commits.js';
import { activeTime } from '../src/heartbeats.js';
import { V2_METRICS } from '../src/migrations.js';
import { binOf, histPercentile, percentile } from '../src/percentile.js';
import { decodeBins, encodeBins, ROLLUP_METRICS } from '../src/rollups.js';
import { DAY, HOUR, kernelWith, MIN, t } from './helpers.js';

const P = '/p/fold';
const T0 = t('2025-04-07T08:00:00Z');

/** A deterministic pseudo-random sequence in [0, 1). */
function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

test('active time from sessions: any arrival order, late heartbeats joining and splitting sessions, equals the reference', async (tc) => {
  const r = rng(7);
  // Bursts with gaps below and above the idle timeout (15 min), across hour and day boundaries.
  const times: number[] = [];
  let at = T0;
  for (let i = 0; i < 240; i++) {
    at += r() < 0.1 ? Math.floor(20 * MIN + r() * 3 * HOUR) : Math.floor(r() * 14 * MIN);
    times.push(at);
  }
  times.push(times[5]!, times[6]!); // the same millisecond twice adds nothing
  const shuffled = [...times].sort(() => r() - 0.5);
  const beat = (ts: number): RecordedEvent => ({ type: 'file-monitor.file.changed', project: P, ts, data: {} });
  const inOrder = await kernelWith(tc);
  const late = await kernelWith(tc);
  await replay(inOrder.tk, [...times].sort((a, b) => a - b).map(beat));
  // Out of order and in small batches, so late heartbeats meet sessions stored by earlier batches.
  for (let i = 0; i < shuffled.length; i += 17) await replay(late.tk, shuffled.slice(i, i + 17).map(beat));
  await inOrder.api.ready;
  await late.api.ready;
  const w = { project: P, since: T0 - DAY, until: at + DAY };
  const expected = activeTime(times, 15 * MIN, MIN);
  assert.equal(inOrder.api.summary(w).activeMs, expected);
  assert.equal(late.api.summary(w).activeMs, expected);
  const hours = (k: typeof late) => k.api.series({ metric: 'activeMs', bucket: 'hour', ...w });
  assert.deepEqual(hours(late), hours(inOrder), 'every hour bucket agrees');
  await late.api.rebuild();
  assert.equal(late.api.summary(w).activeMs, expected, 'a rebuild folds the log in order and agrees');
});

test('long windows: percentiles from day bins and exactly binned edge hours match the histogram of all samples', async (tc) => {
  const k = await kernelWith(tc);
  const r = rng(11);
  const runs: RecordedEvent[] = [];
  const samples: [number, number][] = [];
  for (let i = 0; i < 5600; i++) {
    const ts = T0 + Math.floor(r() * 4 * DAY);
    const durationMs = Math.floor(500 + r() * r() * 120_000);
    samples.push([ts, durationMs]);
    runs.push({ type: 'test-monitor.run.finished', project: P, ts, data: { kind: 'test', ok: r() < 0.9, durationMs } });
  }
  await replay(k.tk, runs);
  await k.api.ready;
  // Widened to whole hours: 10:00 on day 0 to 18:00 on day 3 (two edge runs of hours, two whole days).
  const since = T0 + 2 * HOUR + 25 * MIN;
  const until = T0 + 3 * DAY + 9 * HOUR + 40 * MIN;
  const inWindow = samples.filter(([ts]) => ts >= T0 + 2 * HOUR && ts < T0 + 3 * DAY + 10 * HOUR).map(([, v]) => v);
  assert.ok(inWindow.length > 4096, `${inWindow.length} samples: the histogram path`);
  const bins = new Map<number, number>();
  for (const v of inWindow) bins.set(binOf(v), (bins.get(binOf(v)) ?? 0) + 1);
  const s = k.api.summary({ project: P, since, until });
  assert.equal(s.tests.runs, inWindow.length);
  assert.equal(s.tests.p50Ms, histPercentile([...bins], 0.5));
  // A short window stays exact.
  const day = samples.filter(([ts]) => ts >= T0 + DAY && ts < T0 + DAY + 6 * HOUR).map(([, v]) => v).sort((a, b) => a - b);
  assert.equal(k.api.summary({ project: P, since: T0 + DAY, until: T0 + DAY + 6 * HOUR }).tests.p50Ms, percentile(day, 0.5));
});

test('commits: a hash reported again the same day counts once; an attribution days after its commit still finds it', async (tc) => {
  const k = await kernelWith(tc);
  const commit = (hash: string, ts: number, added: number): RecordedEvent => ({
    type: 'git-monitor.commit.created',
    project: P,
    ts,
    data: { hash, stats: { added, removed: 0, files: 1 }, files: [{ path: 'a.ts', added, removed: 0 }] },
  });
  await replay(k.tk, [
    commit('h1', T0, 10),
    commit('h1', T0 + 5 * HOUR, 99), // another worktree, same day: ignored
    commit('h2', T0 + HOUR, 20),
    { type: 'ai-monitor.commit.attributed', project: P, ts: T0 + 3 * DAY, data: { hash: 'h2' } },
  ]);
  await k.api.ready;
  const s = k.api.summary({ project: P, since: T0 - DAY, until: T0 + 5 * DAY });
  assert.deepEqual([s.commits, s.linesAdded, s.ai.assistedCommits], [2, 30, 1]);
});

test('hash keys: lowercase hex as bytes, every other spelling as text, so no two hashes share a key', async (tc) => {
  assert.deepEqual(hashKey('0a1b'), Buffer.from([0x0a, 0x1b]));
  for (const h of ['0A1B', 'a1b', 'h2', 'abcg']) assert.equal(hashKey(h), h);
  const k = await kernelWith(tc);
  const commit = (hash: string, ts: number): RecordedEvent => ({ type: 'git-monitor.commit.created', project: P, ts, data: { hash, stats: { added: 1, removed: 0, files: 1 } } });
  await replay(k.tk, [
    commit('abcd', T0),
    commit('ABCD', T0 + MIN),
    commit('abc', T0 + 2 * MIN),
    commit('abcd', T0 + HOUR), // the same hash again: ignored
    { type: 'ai-monitor.commit.attributed', project: P, ts: T0 + 2 * HOUR, data: { hash: 'ABCD' } },
  ]);
  await k.api.ready;
  const s = k.api.summary({ project: P, since: T0 - DAY, until: T0 + DAY });
  assert.deepEqual([s.commits, s.ai.assistedCommits], [3, 1]);
});

test('rollup columns and histogram blobs', () => {
  assert.deepEqual([...ROLLUP_METRICS], V2_METRICS, 'metrics__bucket has a column per rollup metric');
  const bins = new Map([[80, 3], [3, 1], [200, 7], [5, 0]]);
  const back = decodeBins(encodeBins(bins), new Map([[3, 1]]));
  assert.deepEqual([...back].sort((a, b) => a[0] - b[0]), [[3, 2], [80, 3], [200, 7]]);
});
