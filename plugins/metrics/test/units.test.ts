// Unit tests of the pure modules: buckets, heartbeats, fields, percentiles, config.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketStart, plan, split, widen } from '../src/buckets.js';
import { configSchema, projectionVersion, toSettings, type MetricsConfig } from '../src/config.js';
import { commitFacts, effectiveTs, idTime, isHotfix, isRevert, issueKeyOf, num } from '../src/fields.js';
import { activeTime, contribution } from '../src/heartbeats.js';
import { binOf, binValue, histPercentile, percentile, ratio } from '../src/percentile.js';
import { coverageOf, runOk } from '../src/tests-fold.js';
import { periodWindow } from '../src/tools.js';
import { DAY, HOUR, MIN, t } from './helpers.js';

const defaults = Object.fromEntries(Object.entries(configSchema.properties).map(([k, v]) => [k, v.default])) as unknown as MetricsConfig;

test('buckets: hours, days, Monday weeks, with an offset', () => {
  const wed = t('2025-03-05T13:45:00Z');
  assert.equal(bucketStart('h', wed), t('2025-03-05T13:00:00Z'));
  assert.equal(bucketStart('d', wed), t('2025-03-05T00:00:00Z'));
  assert.equal(bucketStart('w', wed), t('2025-03-03T00:00:00Z'));
  assert.equal(bucketStart('w', t('2025-03-03T00:00:00Z')), t('2025-03-03T00:00:00Z'));
  // UTC+2: local midnight is 22:00 UTC the day before.
  assert.equal(bucketStart('d', wed, 2 * HOUR), t('2025-03-04T22:00:00Z'));
  assert.equal(bucketStart('w', t('2025-03-02T23:30:00Z'), 2 * HOUR), t('2025-03-02T22:00:00Z'));
  assert.deepEqual(widen(t('2025-03-05T13:45:00Z'), t('2025-03-05T14:00:00Z')), { from: t('2025-03-05T13:00:00Z'), to: t('2025-03-05T14:00:00Z') });
});

test('plan covers a window with hour and day buckets, no gaps and no overlaps', () => {
  const since = t('2025-03-03T10:20:00Z');
  const until = t('2025-03-20T05:30:00Z');
  const p = plan(since, until);
  assert.deepEqual(p.map((r) => r.kind), ['h', 'd', 'h']);
  assert.equal(p[0]?.from, t('2025-03-03T10:00:00Z'));
  assert.equal(p[1]?.from, t('2025-03-04T00:00:00Z'));
  assert.equal(p.at(-1)?.to, t('2025-03-20T06:00:00Z'));
  for (let i = 1; i < p.length; i++) assert.equal(p[i]?.from, p[i - 1]?.to);
  assert.deepEqual(plan(t('2025-03-03T10:20:00Z'), t('2025-03-03T12:00:00Z')), [{ kind: 'h', from: t('2025-03-03T10:00:00Z'), to: t('2025-03-03T12:00:00Z') }]);
  assert.deepEqual(plan(t('2025-03-03T00:00:00Z'), t('2025-03-05T00:00:00Z')), [{ kind: 'd', from: t('2025-03-03T00:00:00Z'), to: t('2025-03-05T00:00:00Z') }]);
  assert.deepEqual(plan(5, 5), []);
  // 90 days: at most 23 hour rows, 90 day rows and 23 hour rows per project.
  const long = plan(t('2025-01-01T07:00:00Z'), t('2025-04-01T07:00:00Z'));
  const d = long.find((r) => r.kind === 'd');
  assert.ok(d && (d.to - d.from) / DAY <= 90);
  assert.deepEqual(split('h', t('2025-03-03T09:55:00Z'), t('2025-03-03T10:02:00Z')), [[t('2025-03-03T09:00:00Z'), 5 * MIN], [t('2025-03-03T10:00:00Z'), 2 * MIN]]);
});

test('heartbeats: gaps up to the idle timeout count, longer ones earn the credit, order does not matter', () => {
  const idle = 15 * MIN;
  assert.deepEqual(contribution(null, 100, idle, MIN), { credit: MIN, at: 100 });
  assert.deepEqual(contribution(0, 10 * MIN, idle, MIN), { span: [0, 10 * MIN] });
  assert.deepEqual(contribution(0, 15 * MIN, idle, MIN), { span: [0, 15 * MIN] });
  assert.deepEqual(contribution(0, 16 * MIN, idle, MIN), { credit: MIN, at: 16 * MIN });
  assert.equal(contribution(0, 16 * MIN, idle, 0), null);
  const beats = [0, 5, 10, 40, 50].map((m) => m * MIN);
  assert.equal(activeTime(beats, idle, MIN), (1 + 5 + 5 + 1 + 10) * MIN);
  assert.equal(activeTime([...beats].reverse().concat(beats), idle, MIN), (1 + 5 + 5 + 1 + 10) * MIN);
});

test('fields: numbers, UUIDv7 times, clamped future times, commit facts from bad payloads', () => {
  assert.deepEqual([num(3), num(-1), num('3'), num(NaN), num(null)], [3, null, null, null, null]);
  const id = '01957a3c-8000-7abc-8def-0123456789ab';
  assert.equal(idTime(id), 0x01957a3c8000);
  assert.equal(idTime('not-a-uuid'), null);
  assert.equal(effectiveTs(5, id, 1000), 5);
  assert.equal(effectiveTs(0x01957a3c8000 + 10_000, id, 1000), 0x01957a3c8000 + 1000);
  assert.equal(effectiveTs('x', id, 1000), 0x01957a3c8000);
  assert.equal(effectiveTs(undefined, 'x', 1000), null);
  assert.equal(commitFacts({ subject: 'x' }), null);
  const c = commitFacts({ hash: 'h', stats: { added: 'a', removed: 4 }, files: [{ path: 'a', added: 3, removed: null }, 'junk', { added: 9 }], parents: ['a', 'b'] });
  assert.deepEqual(c && [c.added, c.removed, c.fileCount, c.merge, c.files.length], [3, 4, 1, true, 1]);
  assert.ok(isRevert('Revert "feat: x"', null) && isRevert('undo', 'revert') && !isRevert('Reverted things', null));
  const hot = /(^|\/)hot-?fix\b/i;
  assert.ok(isHotfix('hotfix: login', null, null, hot) && isHotfix('x', null, 'hotfix/login', hot) && isHotfix('x', 'hotfix', null, hot) && !isHotfix('fix: x', 'fix', 'main', hot));
  assert.equal(issueKeyOf('feature/PROJ-12-login', /[A-Z][A-Z0-9]+-\d+/), 'PROJ-12');
  assert.equal(issueKeyOf('main', /[A-Z][A-Z0-9]+-\d+/), null);
  assert.deepEqual([runOk({ ok: false }), runOk({ exitCode: 0 }), runOk({ failed: 2 }), runOk({})], [false, true, false, null]);
  assert.deepEqual([coverageOf({ lines: 80.5 }), coverageOf({ lines: null, statements: 60 }), coverageOf({ lines: 101 }), coverageOf(null)], [80.5, 60, null, null]);
});

test('percentiles: nearest rank, and histogram bins within 5 %', () => {
  assert.equal(percentile([1, 2, 3, 4], 0.5), 2);
  assert.equal(percentile([1, 2, 3, 4], 0.9), 4);
  assert.equal(percentile([], 0.5), null);
  for (const v of [1, 999, 60_000, 81_000_000, 3e9]) assert.ok(Math.abs(binValue(binOf(v)) - v) / v < 0.05, `bin of ${v}`);
  const values = Array.from({ length: 5000 }, (_, i) => (i + 1) * 1000);
  const bins = new Map<number, number>();
  for (const v of values) bins.set(binOf(v), (bins.get(binOf(v)) ?? 0) + 1);
  const p50 = histPercentile([...bins], 0.5) as number;
  assert.ok(Math.abs(p50 - 2_500_000) / 2_500_000 < 0.05, String(p50));
  assert.equal(histPercentile([], 0.5), null);
  assert.deepEqual([ratio(1, 3), ratio(1, 0)], [0.3333, null]);
});

test('config: bad patterns fall back with a problem; folded options change the projection version', () => {
  const { settings, problems } = toSettings({ ...defaults, releaseTagPattern: '(' });
  assert.deepEqual(problems.map((p) => p.key), ['releaseTagPattern']);
  assert.ok(settings.releaseRe.test('v1.2.3'));
  assert.equal(settings.idleMs, 15 * MIN);
  const v = projectionVersion(1, defaults);
  assert.equal(Math.floor(v / 1_000_000), 1);
  assert.notEqual(projectionVersion(1, { ...defaults, idleTimeoutMinutes: 30 }), v);
  assert.equal(projectionVersion(1, { ...defaults, sprintDays: 7 }), v, 'query-only options do not rebuild');
  const now = t('2025-03-05T13:45:00Z');
  assert.deepEqual(periodWindow('today', now, settings), { since: t('2025-03-05T00:00:00Z'), until: now });
  assert.deepEqual(periodWindow('sprint', now, settings), { since: now - 14 * DAY, until: now });
});
