// Scenario tests: recorded event sequences replayed through the real kernel, checked against
// numbers computed by hand (the arithmetic is in the comments).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY, feed, HOUR, kernelWith, MIN, t } from './helpers.js';

const DAY0 = { since: t('2025-03-03T00:00:00Z'), until: t('2025-03-04T00:00:00Z') };

test('active time: idle gaps, a late heartbeat between two others, branches and issue keys; commits and lines', async (tc) => {
  const k = await kernelWith(tc);
  await feed(k, 'activity');
  const s = k.api.summary({ project: '/p/app', ...DAY0 });
  // Heartbeats (gap → minutes): 09:00 first → 1 (credit) · 09:05 → 5 · 09:10 → 5 · 09:20 (stored last) → 10 ·
  // 09:40 (20 min gap > 15) → 1 · 09:50 → 10 · 09:55 commit → 5 · 10:02 → 7 · 10:10 → 8 · 10:20 → 10 · 10:25 → 5 = 67 min.
  assert.equal(s.activeMs, 67 * MIN);
  // c1 once (its duplicate ignored), c2 revert, c3 merge (no lines), c4 with unusable stats (0 lines).
  assert.equal(s.commits, 4);
  assert.equal(s.linesAdded, 30 + 2);
  assert.equal(s.linesRemoved, 5 + 30);
  assert.equal(s.filesTouched, 2 + 1);
  assert.deepEqual(s.churn, { linesChanged: 67, revertRate: 0.25 });
  assert.equal(s.ai.assistedCommits, 0);
  assert.equal(s.ai.reworkShare, null);

  // Feature branch: 1+5+5+1+10+5 = 27 min; main (switched at 10:00; the late 09:20 beat was folded on main): 10+7+8+10+5 = 40.
  const r = await k.tk.callTool('metrics_summary', { project: '/p/app', since: '2025-03-03T00:00:00Z', until: '2025-03-04T00:00:00Z' });
  assert.ok(r.ok, JSON.stringify(r));
  const v = r.value as { byBranch: unknown; byIssue: unknown; note: unknown; activeMs: number };
  assert.deepEqual(v.byBranch, [{ name: 'main', ms: 40 * MIN }, { name: 'feature/PROJ-7-login', ms: 27 * MIN }]);
  assert.deepEqual(v.byIssue, [{ name: 'PROJ-7', ms: 27 * MIN }]);
  assert.equal(v.note, null);

  // Series: spans are cut at hour boundaries: the 09:55→10:02 gap puts 5 min in 09:xx and 2 in 10:xx.
  // 09:00–10:00: 1+5+5+10+1+10+5 + 5 = 42 min (08:xx nothing); 10:00–11:00: 2+8+10+5 = 25.
  const hours = k.api.series({ metric: 'activeMs', bucket: 'hour', project: '/p/app', since: t('2025-03-03T08:00:00Z'), until: t('2025-03-03T11:00:00Z') });
  assert.deepEqual(hours, [
    { t: t('2025-03-03T08:00:00Z'), v: 0 },
    { t: t('2025-03-03T09:00:00Z'), v: 42 * MIN },
    { t: t('2025-03-03T10:00:00Z'), v: 25 * MIN },
  ]);
  assert.equal(k.api.value('commits', { project: '/p/app', windowMs: DAY, now: DAY0.until }), 4);
  assert.equal(k.api.value('linesChanged', { project: null, windowMs: DAY, now: DAY0.until }), 67);
});

test('tests: pass rate, failing streak, a flaky test, coverage trend, build durations', async (tc) => {
  const k = await kernelWith(tc);
  await feed(k, 'tests');
  const s = k.api.summary({ project: '/p/tests', ...DAY0 });
  // Runs 11:00 ✗ (auth), 11:10 ✓, 11:20 ✗ (auth), 11:30 ✗ (auth, db); the "other" run is no test run.
  // auth: fail → pass → fail = 2 flips ⇒ flaky; db failed once. Streak: 2 failures after the 11:10 pass.
  // Durations 1000, 3000, 2000, 4000 → nearest-rank p50 = 2000. Coverage 70.0 → 72.5.
  assert.deepEqual(s.tests, { runs: 4, passed: 1, failed: 3, passRate: 0.25, failingStreak: 2, flaky: ['auth > logs in'], p50Ms: 2000 });
  assert.deepEqual(s.coverage, { latest: 72.5, delta: 2.5 });
  // Builds 60 s ✓, 30 s ✗, 90 s ✓ → p50 60 s.
  assert.deepEqual(s.builds, { runs: 3, failed: 1, p50Ms: 60_000 });
  assert.deepEqual(k.api.series({ metric: 'buildMs', bucket: 'day', project: '/p/tests', ...DAY0 }), [{ t: DAY0.since, v: 180_000 }]);
  assert.deepEqual(k.api.series({ metric: 'testFailures', bucket: 'day', project: null, ...DAY0 }), [{ t: DAY0.since, v: 3 }]);

  // A report with everything passing flips auth (3rd flip) and db (1st): still only auth is flaky; the streak counts runs only.
  await feed(k, 'report');
  const after = k.api.summary({ project: '/p/tests', ...DAY0 });
  assert.deepEqual(after.tests.flaky, ['auth > logs in']);
  assert.equal(after.tests.failingStreak, 2);
  // Windows widen to whole hours: 11:05–11:06 reads the 11:00 hour, all four runs.
  const hour = k.api.summary({ project: '/p/tests', since: t('2025-03-03T11:05:00Z'), until: t('2025-03-03T11:06:00Z') });
  assert.equal(hour.tests.runs, 4);
  // Before 11:00 there was no test run: nothing to rate, no streak, nothing flaky.
  const early = k.api.summary({ project: '/p/tests', since: DAY0.since, until: t('2025-03-03T11:00:00Z') });
  assert.deepEqual(early.tests, { runs: 0, passed: 0, failed: 0, passRate: null, failingStreak: 0, flaky: [], p50Ms: null });
});

test('AI share and AI rework within and after 14 days', async (tc) => {
  const k = await kernelWith(tc);
  await feed(k, 'ai');
  const s = k.api.summary({ project: '/p/ai', since: t('2025-03-03T00:00:00Z'), until: t('2025-04-03T00:00:00Z') });
  // Commits a1 (AI, +100 x.ts), a4 (AI, attributed before it arrived, +20 y.ts), a2 day 3 (−30 x.ts: rework 30),
  // a5 day 1 stored after a2 (−50 y.ts: only 20 AI lines left there), a3 day 20 (−50 x.ts: past 14 days, no rework).
  // Rework = (30 + 20) / (100 + 20) = 0.41666… → 0.4167.
  assert.equal(s.commits, 5);
  assert.deepEqual(s.ai, { assistedCommits: 2, assistedShare: 0.4, sessionMs: 900_000, tokens: 3000, tokensPerCommit: 600, reworkShare: 0.4167 });
  // Within the first day only: same rework (it is credited to the AI commits' own time), a1 a4 only.
  const d0 = k.api.summary({ project: '/p/ai', since: t('2025-03-03T00:00:00Z'), until: t('2025-03-04T00:00:00Z') });
  assert.equal(d0.commits, 2);
  assert.equal(d0.ai.reworkShare, 0.4167);
  assert.equal(d0.ai.tokensPerCommit, 1500);
  assert.deepEqual(k.api.series({ metric: 'aiSessionMs', bucket: 'hour', project: '/p/ai', since: t('2025-03-03T10:00:00Z'), until: t('2025-03-03T11:00:00Z') }), [
    { t: t('2025-03-03T10:00:00Z'), v: 900_000 },
  ]);
});

test('DORA: squash-merge lead time, a reverted deploy, a failed deploy, restores, release tags as fallback', async (tc) => {
  const k = await kernelWith(tc);
  await feed(k, 'dora');
  const week = { since: t('2025-03-10T00:00:00Z'), until: t('2025-03-17T00:00:00Z') };
  const d = k.api.dora({ project: '/p/svc', ...week });
  // Deploys: Mon 12:00 ✓ (d1 3 h, d2 1 h) · Tue 12:00 ✓ (squash SQ: from the branch's first edit Mon 13:30 = 22.5 h;
  // s1, s2 absorbed) · Tue 14:00 revert ⇒ Tue 12:00 failed · Tue 16:00 ✗ · Tue 18:00 ✓ (R 4 h; restores Tue 12:00 after 6 h
  // and the 16:00 failure after 2 h). Leads [1, 3, 4, 22.5] h → p50 3 h, p90 22.5 h. CFR 2 / 4. Restores [2, 6] h → p50 2 h.
  assert.deepEqual(d, {
    deploymentFrequencyPerWeek: 3,
    deployments: 4,
    leadTimeMs: { p50: 3 * HOUR, p90: 22.5 * HOUR },
    changeFailureRate: 0.5,
    timeToRestoreMs: { p50: 2 * HOUR },
    sample: { changes: 4, failedDeployments: 2, restores: 2 },
  });
  assert.equal(k.api.summary({ project: '/p/svc', ...week }).churn.revertRate, 0.1667); // 1 revert of 6 commits
  // /p/lib never had a deploy run: the release tag v1.0.0 counts, "nightly" does not.
  const lib = k.api.dora({ project: '/p/lib', ...week });
  assert.equal(lib.deployments, 1);
  assert.equal(lib.sample.changes, 0);
  assert.deepEqual(k.api.series({ metric: 'deployments', bucket: 'week', project: null, ...week }), [{ t: week.since, v: 4 }]);

  const r = await k.tk.callTool('dora_metrics', { project: '/p/svc', since: '2025-03-10T00:00:00Z', until: '2025-03-17T00:00:00Z' });
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal((r.value as { changeFailureRate: number }).changeFailureRate, 0.5);
});
