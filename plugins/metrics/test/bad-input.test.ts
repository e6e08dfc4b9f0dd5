// Bad input: odd fields, events from the future and out of order, empty projects, a bad pattern in
// the config. The projection never stops and skips what it cannot use.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replay } from '@devflow/core/testing';
import { bucketStart } from '../src/buckets.js';
import { idTime } from '../src/fields.js';
import { DAY, kernelWith, MIN, t } from './helpers.js';

const P = '/p/bad';
const at = (iso: string) => t(`2025-05-05T${iso}Z`);

test('odd and missing fields are skipped, never fatal', async (tc) => {
  const k = await kernelWith(tc);
  await replay(k.tk, [
    { type: 'git-monitor.commit.created', project: P, ts: at('10:00:00'), data: { subject: 'no hash' } },
    { type: 'git-monitor.commit.created', project: P, ts: at('10:01:00'), data: { hash: 'b1', stats: { added: -5, removed: '3' }, files: [{ path: 'a', added: 'x', removed: 2 }, 42, null], parents: 'nope', subject: 7 } },
    { type: 'git-monitor.commit.created', project: P, ts: at('10:02:00'), data: { hash: 'b1', stats: { added: 1000, removed: 0 } } },
    { type: 'test-monitor.run.finished', project: P, ts: at('10:03:00'), data: { kind: 'test', ok: 'yes', exitCode: '0', failed: -1 } },
    { type: 'test-monitor.run.finished', project: P, ts: at('10:04:00'), data: { kind: 'test', ok: true, durationMs: 'fast', failingTests: 'nope', coverage: { lines: 250 } } },
    { type: 'test-monitor.build.finished', project: P, ts: at('10:05:00'), data: { durationMs: -1 } },
    { type: 'test-monitor.deploy.finished', project: P, ts: at('10:06:00'), data: {} },
    { type: 'ai-monitor.session.updated', project: P, ts: at('10:07:00'), data: { tool: 'x', activeMs: 5000 } },
    { type: 'ai-monitor.session.updated', project: null, ts: at('10:08:00'), data: { sessionId: 's', project: P, activeMs: -5, tokens: { input: '9', output: 4 } } },
    { type: 'ai-monitor.commit.attributed', project: P, ts: at('10:09:00'), data: { hash: null } },
    { type: 'git-monitor.merge.detected', project: P, ts: at('10:10:00'), data: { kind: 'squash' } },
    { type: 'git-monitor.tag.created', project: P, ts: at('10:11:00'), data: { tag: 42 } },
    { type: 'git-monitor.branch.switched', project: P, ts: at('10:12:00'), data: { to: ['x'] } },
    { type: 'file-monitor.file.changed', project: null, ts: at('10:13:00'), data: {} },
  ]);
  await k.api.ready;
  assert.equal(k.api.status().state, 'live');
  assert.ok(!k.tk.logs.some((l) => l.code === 'METRICS_ERR_EVENT_SKIPPED'), 'nothing threw');
  const s = k.api.summary({ project: P, since: at('00:00:00'), until: at('23:00:00') });
  // b1 counted once (its replay with other stats ignored); -5 and "3" are unusable, so lines come from files: +0 −2.
  assert.deepEqual([s.commits, s.linesAdded, s.linesRemoved], [1, 0, 2]);
  // One test run (the one with ok "yes" says nothing), no duration; coverage 250 % is ignored.
  assert.deepEqual([s.tests.runs, s.tests.p50Ms, s.coverage.latest], [1, null, null]);
  // A build (or deploy) that tells neither ok nor an exit code is not counted.
  assert.deepEqual([s.builds.runs, s.builds.failed, s.builds.p50Ms], [0, 0, null]);
  assert.equal(k.api.dora({ project: P, since: at('00:00:00'), until: at('23:00:00') }).deployments, 0);
  // Session s (project from its data): activeMs −5 → 0, tokens "9" → 0 + 4.
  assert.deepEqual([s.ai.sessionMs, s.ai.tokens], [0, 4]);
  // Heartbeats 10:01, 10:02, 10:03, 10:04, 10:07, 10:08 (the one without a session id still is one): 1 + 1+1+1+3+1 = 8 min.
  assert.equal(s.activeMs, 8 * MIN);
  // The event without a project is counted under "all projects" only.
  const all = k.api.summary({ project: null, since: at('00:00:00'), until: at('23:00:00') });
  assert.equal(all.activeMs, 8 * MIN + 1 * MIN);
});

test('an event from the future is counted when it was stored (+ maxFutureMs), and does not block later ones', async (tc) => {
  const k = await kernelWith(tc, { config: { maxFutureMs: 60_000 } });
  const future = Date.now() + 365 * DAY;
  const [stored] = await replay(k.tk, [{ type: 'file-monitor.file.changed', project: P, ts: future, data: {} }]);
  await k.api.ready;
  const storedAt = idTime(stored?.id) as number;
  assert.ok(storedAt > 0);
  const farAhead = k.api.summary({ project: P, since: future - DAY, until: future + DAY });
  assert.equal(farAhead.activeMs, 0, 'nothing lands a year ahead');
  const hour = bucketStart('h', storedAt + 60_000);
  assert.equal(k.api.series({ metric: 'activeMs', bucket: 'hour', project: P, since: hour, until: hour + 3_600_000 })[0]?.v, MIN);
  // Older events still count: two heartbeats 5 minutes apart, yesterday.
  const y = storedAt - DAY;
  await replay(k.tk, [
    { type: 'file-monitor.file.changed', project: P, ts: y, data: {} },
    { type: 'file-monitor.file.changed', project: P, ts: y + 5 * MIN, data: {} },
  ]);
  await k.api.ready;
  assert.equal(k.api.summary({ project: P, since: y - DAY, until: y + 3_600_000 }).activeMs, MIN + 5 * MIN);
});

test('empty projects and an empty database answer with zeros and a note', async (tc) => {
  const k = await kernelWith(tc);
  const empty = await k.tk.callTool('metrics_summary', { period: 'week' });
  assert.ok(empty.ok, JSON.stringify(empty));
  const v = empty.value as { activeMs: number; note: string; tests: { passRate: unknown }; byBranch: unknown[] };
  assert.deepEqual([v.activeMs, v.tests.passRate, v.byBranch], [0, null, []]);
  assert.match(v.note, /no activity recorded yet/);
  await replay(k.tk, [{ type: 'file-monitor.file.changed', project: '/p/one', ts: Date.now() - 1000, data: {} }]);
  await k.api.ready;
  const r = await k.tk.callTool('dora_metrics', { project: '/p/none' });
  assert.ok(r.ok, JSON.stringify(r));
  const d = r.value as { deployments: number; changeFailureRate: unknown; leadTimeMs: unknown; note: string };
  assert.deepEqual([d.deployments, d.changeFailureRate, d.leadTimeMs], [0, null, { p50: null, p90: null }]);
  assert.match(d.note, /nothing recorded for project "\/p\/none"/);
  assert.equal(k.api.value('activeMs', { project: '/p/none', windowMs: DAY }), 0);
  assert.deepEqual(k.api.series({ metric: 'commits', bucket: 'day', project: '/p/none', since: 0, until: 2 * DAY }), [{ t: 0, v: 0 }, { t: DAY, v: 0 }]);
  const bad = await k.tk.callTool('metrics_summary', { since: 'yesterday-ish' });
  assert.equal(bad.ok ? '' : bad.error.code, 'KRN_ERR_TOOL_FAILED');
  const big = await k.tk.callTool('metrics_summary', { period: 'year' });
  assert.equal(big.ok ? '' : big.error.code, 'KRN_ERR_TOOL_INPUT');
  const viewer = await k.tk.as('viewer').callTool('metrics_summary', {});
  assert.ok(viewer.ok || viewer.error.code === 'KRN_ERR_FORBIDDEN');
});

test('a bad pattern in the config is reported with its key and the default is used; bad numbers are refused', async (tc) => {
  const k = await kernelWith(tc, { config: { issueKeyPattern: '([A-Z' } });
  const line = k.tk.logs.find((l) => l.code === 'METRICS_ERR_PATTERN');
  assert.match(String(line?.msg), /issueKeyPattern "\(\[A-Z" is not a valid regular expression/);
  await replay(k.tk, [
    { type: 'git-monitor.branch.switched', project: P, ts: at('09:00:00'), data: { to: 'feat/OPS-9-x' } },
    { type: 'file-monitor.file.changed', project: P, ts: at('09:01:00'), data: {} },
  ]);
  await k.api.ready;
  const r = await k.tk.callTool('metrics_summary', { project: P, since: '2025-05-05T00:00:00Z', until: '2025-05-06T00:00:00Z' });
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual((r.value as { byIssue: unknown }).byIssue, [{ name: 'OPS-9', ms: MIN }]);
  await assert.rejects(kernelWith(tc, { config: { idleTimeoutMinutes: 0 } }), /\[metrics\] KRN_ERR_CONFIG_INVALID: .*idleTimeoutMinutes must be >= 1/);
});
