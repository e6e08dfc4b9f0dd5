// Scenario tests: each rule's fixture replayed through the real ingest path, with the exact
// finding (key, severity, evidence, suggestion) it opens and the resolution that follows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { derived, feed, fixture, list, ms, start } from './helpers.js';

type Data = Record<string, unknown>;
const opened = (tk: Parameters<typeof derived>[0]) => derived(tk).filter((e) => e.type === 'bottleneck.opened').map((e) => e.data);
const resolved = (tk: Parameters<typeof derived>[0]) => derived(tk).filter((e) => e.type === 'bottleneck.resolved').map((e) => e.data);

test('long-lived branch: opens at 19 days with its evidence, resolves on merge', async (t) => {
  const tk = await start(t);
  const ev = await feed(tk, fixture('long-lived-branch'));
  const P = '/home/dev/shop';
  const key = `long-lived-branch:${P}:${P}#feature/checkout`;
  assert.deepEqual(opened(tk), [
    {
      key, rule: 'long-lived-branch', project: P, severity: 'warn', title: 'Branch feature/checkout open for 19 days', subject: 'feature/checkout',
      evidence: [
        { detail: 'branch started 2025-03-01T09:00:00.000Z', eventId: ev[0]!.id, value: 19 },
        { detail: 'commits on the branch', eventId: ev[3]!.id, value: 3 },
        { detail: 'lines changed on the branch', value: 205 },
        { detail: 'last commit 2025-03-20T10:00:00.000Z', eventId: ev[3]!.id },
        { detail: 'limit (days)', value: 14 },
      ],
      suggestion: 'Split branch feature/checkout (19 days, 3 commits) or merge main into it; merge the finished part behind a flag and keep branches under 14 days.',
      openedAt: ms('2025-03-20T10:00:00Z'), trigger: 'event',
    },
  ]);
  assert.deepEqual(resolved(tk), [{ key, rule: 'long-lived-branch', project: P, subject: 'feature/checkout', openedAt: ms('2025-03-20T10:00:00Z'), resolvedAt: ms('2025-03-22T10:00:00Z'), durationMs: 2 * 86_400_000, trigger: 'event' }]);
  const all = await list(tk, { status: 'all' });
  assert.equal(all.openTotal, 0);
  assert.deepEqual(all.findings.map((f) => [f.key, f.status, f.resolvedAt]), [[key, 'resolved', '2025-03-22T10:00:00.000Z']]);
});

test('red tests: red for 2.5 h opens (error), a green run resolves', async (t) => {
  const tk = await start(t);
  const ev = await feed(tk, fixture('red-tests'));
  const P = '/home/dev/api';
  const o = opened(tk);
  assert.equal(o.length, 1);
  assert.deepEqual(o[0], {
    key: `red-tests:${P}:npm test`, rule: 'red-tests', project: P, severity: 'error', title: 'Tests red for 2.5 h: npm test', subject: 'npm test',
    evidence: [
      { detail: 'first failing run 2025-03-03T10:00:00.000Z', eventId: ev[1]!.id },
      { detail: 'failing runs in a row', eventId: ev[4]!.id, value: 4 },
      { detail: 'failing: auth rejects expired token', eventId: ev[4]!.id },
    ],
    suggestion: 'Tests of "npm test" have been red for 2.5 h (4 failing runs): fix or quarantine auth rejects expired token first; stop piling commits on a red build.',
    openedAt: ms('2025-03-03T12:30:00Z'), trigger: 'event',
  });
  assert.deepEqual(resolved(tk).map((r) => [r.key, r.resolvedAt, r.durationMs]), [[`red-tests:${P}:npm test`, ms('2025-03-03T13:00:00Z'), 30 * 60_000]]);
});

test('flaky test: F P F P opens, seven passes later it resolves', async (t) => {
  const tk = await start(t);
  const ev = await feed(tk, fixture('flaky-test'));
  const P = '/home/dev/cart';
  const key = `flaky-test:${P}:npm test :: cart adds item`;
  assert.deepEqual(opened(tk), [
    {
      key, rule: 'flaky-test', project: P, severity: 'warn', title: 'Flaky test: cart adds item', subject: 'cart adds item',
      evidence: [{ detail: 'outcomes of the last 4 runs of "npm test" (P pass, F fail)', value: 'FPFP' }, { detail: 'pass/fail alternations', eventId: ev[3]!.id, value: 3 }],
      suggestion: 'Test "cart adds item" flipped between pass and fail 3 times in its last 4 runs: quarantine it, then look for shared state, timing or test-order dependence.',
      openedAt: ms('2025-03-04T09:30:00Z'), trigger: 'event',
    },
  ]);
  assert.deepEqual(resolved(tk).map((r) => [r.key, r.resolvedAt]), [[key, ms('2025-03-04T10:40:00Z')]]);
});

test('slow build: a 90 s day against a 40 s history is an anomaly; a normal day resolves it', async (t) => {
  const tk = await start(t);
  const ev = await feed(tk, fixture('slow-build'));
  const P = '/home/dev/web';
  const key = `slow-build:${P}:npm run build`;
  assert.deepEqual(opened(tk), [
    {
      key, rule: 'slow-build', project: P, severity: 'warn', title: 'Builds slower than usual: npm run build', subject: 'npm run build',
      evidence: [
        { detail: 'mean duration today (1 runs), ms', eventId: ev[10]!.id, value: 90000 },
        { detail: 'median of the last 10 days, ms', value: 40100 },
        { detail: 'robust z-score', value: 67.32 },
        { detail: 'slowest run today, ms', eventId: ev[10]!.id, value: 90000 },
      ],
      suggestion: 'Builds of "npm run build" average 90 s today vs a 40.1 s median over 10 days (z 67.32): look at what changed today (dependencies, new steps, cache misses) starting from the slowest run.',
      openedAt: ms('2025-03-11T12:00:00Z'), trigger: 'event',
    },
  ]);
  assert.deepEqual(resolved(tk).map((r) => [r.key, r.resolvedAt]), [[key, ms('2025-03-12T12:00:00Z')]]);
});

test('hot file: 8 commits and 480 lines in 4 days opens; 20 days later the window has moved on', async (t) => {
  const tk = await start(t);
  const ev = await feed(tk, fixture('hot-file'));
  const P = '/home/dev/store';
  const key = `hot-file:${P}:${P}#src/cart.ts`;
  assert.deepEqual(opened(tk), [
    {
      key, rule: 'hot-file', project: P, severity: 'info', title: 'Hot file: src/cart.ts', subject: 'src/cart.ts',
      evidence: [{ detail: 'commits in 14 days', eventId: ev[7]!.id, value: 8 }, { detail: 'lines added + removed in 14 days', value: 480 }, { detail: 'repository', value: P }],
      suggestion: 'src/cart.ts changed in 8 commits (480 lines) in 14 days: split it by responsibility or put tests around it before the next change.',
      openedAt: ms('2025-03-04T14:00:00Z'), trigger: 'event',
    },
  ]);
  assert.deepEqual(resolved(tk).map((r) => [r.key, r.resolvedAt]), [[key, ms('2025-03-25T10:00:00Z')]]);
});

test('long stage: 19 days in coding opens on the next event; moving to deployment resolves', async (t) => {
  const tk = await start(t);
  const ev = await feed(tk, fixture('long-stage'));
  const P = '/home/dev/app';
  assert.deepEqual(opened(tk), [
    {
      key: `long-stage:${P}:coding`, rule: 'long-stage', project: P, severity: 'warn', title: 'In stage coding for 19 days', subject: 'coding',
      evidence: [{ detail: 'entered coding 2025-03-01T09:00:00.000Z', eventId: ev[0]!.id, value: 19 }, { detail: 'limit for coding (days)', value: 14 }],
      suggestion: 'The project has been in coding for 19 days (limit 14 days): cut the remaining work into smaller deliverables, or raise the limit for coding if this stage is long by nature.',
      openedAt: ms('2025-03-20T10:00:00Z'), trigger: 'event',
    },
  ]);
  assert.deepEqual(resolved(tk).map((r) => [r.key, r.resolvedAt]), [[`long-stage:${P}:coding`, ms('2025-03-21T09:00:00Z')]]);
});

test('WIP spread: a sixth active branch opens, merging one resolves', async (t) => {
  const tk = await start(t);
  const ev = await feed(tk, fixture('wip-spread'));
  const P = '/home/dev/mono';
  const o = opened(tk);
  assert.equal(o.length, 1);
  assert.equal(o[0]!.key, `wip-spread:${P}:branches`);
  assert.equal(o[0]!.title, 'Work spread over 6 active branches');
  assert.deepEqual((o[0]!.evidence as Data[]).slice(0, 2), [
    { detail: 'active unmerged branches (commit in the last 7 days)', value: 6 },
    { detail: 'feature/f6: last commit 2025-03-05T14:00:00.000Z', eventId: ev[5]!.id, value: 1 },
  ]);
  assert.equal(o[0]!.suggestion, '6 branches had commits in the last 7 days (limit 5): finish and merge one (feature/f6, feature/f5, feature/f4) before starting another.');
  assert.deepEqual(resolved(tk).map((r) => [r.key, r.resolvedAt]), [[`wip-spread:${P}:branches`, ms('2025-03-06T10:00:00Z')]]);
});

test('review wait: a review requested 27 h ago opens, the review resolves; a PR without reviewers never waits', async (t) => {
  const tk = await start(t);
  const ev = await feed(tk, fixture('review-wait'));
  const P = '/home/dev/svc';
  assert.deepEqual(opened(tk), [
    {
      key: `review-wait:${P}:github#42`, rule: 'review-wait', project: P, severity: 'warn', title: 'PR #42 waiting for review for 27 h', subject: 'PR #42',
      evidence: [
        { detail: 'review requested 2025-03-03T09:00:00.000Z from alice', eventId: ev[0]!.id, value: 27 },
        { detail: 'title: Add rate limiter' },
        { detail: 'branch: feature/rate-limit' },
        { detail: 'limit (hours)', value: 24 },
      ],
      suggestion: 'PR #42 "Add rate limiter" has waited 27 h for review from alice: ping the reviewers or ask someone else; smaller PRs get reviewed sooner.',
      openedAt: ms('2025-03-04T12:00:00Z'), trigger: 'event',
    },
  ]);
  assert.deepEqual(resolved(tk).map((r) => [r.key, r.resolvedAt]), [[`review-wait:${P}:github#42`, ms('2025-03-04T15:00:00Z')]]);
});
