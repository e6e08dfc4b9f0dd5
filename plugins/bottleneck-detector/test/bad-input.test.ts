// Bad input: odd payloads, clocks that jump, empty projects, bad rule settings and bad tool
// arguments. The projection never stops, the other rules keep working, errors name what to fix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecordedEvent } from '@devflow/core/testing';
import { api, derived, feed, fixture, list, ms, start } from './helpers.js';

const Q = '/home/dev/odd';

test('odd fields, events without a project, out-of-order runs: skipped or tolerated, the projection stays live', async (t) => {
  const tk = await start(t);
  const odd: RecordedEvent[] = [
    { type: 'git-monitor.commit.created', project: Q, ts: '2025-03-01T10:00:00Z', data: { repo: null, branch: 42, files: 'not a list', stats: { added: '12', removed: null } } },
    { type: 'git-monitor.commit.created', project: Q, ts: '2025-03-01T11:00:00Z', data: { files: [null, 7, { path: '' }, { path: 'src/x.ts', added: 'many', removed: -5 }] } },
    { type: 'git-monitor.commit.created', project: null, ts: '2025-03-01T11:00:00Z', data: { branch: 'feature/nowhere' } },
    { type: 'git-monitor.branch.created', project: Q, ts: '2025-03-01T11:00:00Z', data: {} },
    { type: 'git-monitor.merge.detected', project: Q, ts: '2025-03-01T11:00:00Z', data: { mergedBranch: ['x'] } },
    { type: 'test-monitor.run.finished', project: Q, ts: '2025-03-01T12:00:00Z', data: { kind: 'test', durationMs: 'abc', ok: 'yes', failingTests: [1, null, { name: 'named test' }] } },
    { type: 'test-monitor.run.finished', project: Q, ts: '2025-03-01T12:10:00Z', data: { kind: 'build', command: '  npm   run build ', durationMs: '4200', exitCode: '0' } },
    { type: 'test-monitor.run.finished', project: Q, ts: '2025-03-01T13:00:00Z', data: { kind: 'test', command: 'npm test', ok: false, failingTests: ['a'] } },
    { type: 'test-monitor.run.finished', project: Q, ts: '2025-03-01T09:00:00Z', data: { kind: 'test', command: 'npm test', ok: true } },
    { type: 'stage-analyzer.stage.changed', project: Q, ts: '2025-03-01T13:00:00Z', data: { to: null, at: 'yesterday' } },
    { type: 'stage-analyzer.stage.changed', project: Q, ts: '2025-03-01T13:00:00Z', data: { to: 'coding', at: 'not a time' } },
    { type: 'github.pull-request.opened', project: Q, ts: '2025-03-01T13:00:00Z', data: { title: 'no number' } },
    { type: 'github.pull-request.reviewed', project: Q, ts: '2025-03-01T13:00:00Z', data: { number: 999 } },
    { type: 'gitlab.merge-request.opened', project: Q, ts: '2025-03-01T13:00:00Z', data: { iid: '7', requestedReviewers: [{ login: 'bob' }, 5], createdAt: 'garbage' } },
  ];
  await feed(tk, odd);
  const status = tk.kernel.status() as unknown as { projections?: { plugin: string; state: string }[] };
  for (const p of status.projections ?? []) if (p.plugin === 'bottleneck-detector') assert.equal(p.state, 'live');
  assert.ok(!tk.logs.some((l) => l.code === 'KRN_ERR_PROJECTION_FAILED'), 'the projection never failed');
  assert.ok(!tk.logs.some((l) => String(l.msg).startsWith('bottleneck-detector: skipped event')), 'no event needed skipping: the readers coped');
  // The out-of-order green run (09:00, older than the 13:00 failure) does not clear the red streak.
  assert.equal(await api(tk).evaluateNow(ms('2025-03-01T16:00:00Z')), 1);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(api(tk).open(Q).map((f) => f.key), [`red-tests:${Q}:npm test`]);
  // The MR with an odd createdAt waits from its event time, requested of bob.
  assert.equal(await api(tk).evaluateNow(ms('2025-03-03T13:00:00Z')), 1);
  await new Promise((r) => setTimeout(r, 20));
  const mr = api(tk).open(Q).find((f) => f.rule === 'review-wait');
  assert.equal(mr?.title, 'MR !7 waiting for review for 2 days');
  assert.match(mr?.evidence[0]?.detail ?? '', /from bob, 5$/, 'objects give their login, numbers (ids) are kept');

  // The fixtures still work in the same kernel afterwards.
  await feed(tk, fixture('red-tests'));
  assert.equal(derived(tk).filter((e) => e.data.project === '/home/dev/api').length, 2);
});

test('an event from the future cannot age everything: its time is capped at when it was recorded', async (t) => {
  const tk = await start(t, { config: { rules: { 'long-lived-branch': { abandonedDays: 3650 } } } });
  const P = '/home/dev/future';
  const ev = await feed(tk, [
    { type: 'git-monitor.branch.created', project: P, ts: '2025-01-01T09:00:00Z', data: { repo: P, branch: 'feature/x', hash: 'a' } },
    { type: 'git-monitor.commit.created', project: P, ts: '2025-01-02T09:00:00Z', data: { repo: P, branch: 'feature/x', hash: 'b', files: [] } },
    { type: 'git-monitor.commit.created', project: P, ts: '2099-01-01T00:00:00Z', data: { repo: P, branch: 'feature/y', hash: 'c', files: [] } },
  ]);
  const recorded = parseInt(ev[2]!.id.slice(0, 8) + ev[2]!.id.slice(9, 13), 16);
  const o = derived(tk).filter((e) => e.type === 'bottleneck.opened');
  assert.deepEqual(o.map((e) => [e.data.subject, e.data.openedAt]), [['feature/x', recorded + 10 * 60_000]], 'opened at the capped time, not in 2099');
  assert.ok((o[0]!.data.openedAt as number) < ms('2099-01-01T00:00:00Z'));
});

test('empty or unknown projects answer with a note, not an error', async (t) => {
  const tk = await start(t);
  const none = await list(tk);
  assert.deepEqual(none.findings, []);
  assert.equal(none.openTotal, 0);
  assert.match(none.note ?? '', /no open bottlenecks at severity info/);
  const unknown = await list(tk, { project: '/nowhere', status: 'all' });
  assert.match(unknown.note ?? '', /no events seen for project "\/nowhere" yet/);
  assert.deepEqual(api(tk).open('/nowhere'), []);
});

test('bad rule settings: each reported with its rule name and code; the other rules keep working', async (t) => {
  const tk = await start(t, {
    config: {
      rules: { 'red-tests': { redMaxMinutes: 'abc' }, 'bogus-rule': {}, 'flaky-test': { minFlips: 2, lastRuns: 6 }, 'hot-file': { minCommits: 1 } },
      projects: { '/home/dev/shop': { 'long-lived-branch': { branchMaxDays: -1 } } },
    },
  });
  const errors = tk.logs.filter((l) => l.code === 'BOTTLENECK_ERR_RULE_INVALID');
  assert.equal(errors.length, 4);
  assert.ok(errors.every((l) => l.plugin === 'bottleneck-detector'));
  assert.deepEqual(errors.map((l) => l.rule).sort(), ['bogus-rule', 'hot-file', 'long-lived-branch', 'red-tests']);
  const text = errors.map((l) => String(l.msg)).join('\n');
  assert.match(text, /rules\.red-tests\.redMaxMinutes \(minutes tests may stay red across runs\) must be a number from 1 to 525600 \(got "abc"\); the rule is disabled/);
  assert.match(text, /unknown rule "bogus-rule"; known rules: long-lived-branch, red-tests/);
  assert.match(text, /projects\["\/home\/dev\/shop"\]\.long-lived-branch\.branchMaxDays .* \(got -1\); the rule is disabled in this project/);

  await feed(tk, [...fixture('red-tests'), ...fixture('long-lived-branch'), ...fixture('flaky-test'), ...fixture('long-stage')]);
  const rules = new Set(derived(tk).map((e) => e.data.rule));
  assert.deepEqual([...rules].sort(), ['flaky-test', 'long-stage'], 'red-tests (bad) and long-lived-branch in /home/dev/shop (bad override) are off; flaky (valid override) and the rest work');
  const answer = await list(tk, { status: 'all' });
  assert.equal(answer.problems?.length, 4);
  assert.ok(answer.problems?.some((p) => p.startsWith('rule "long-lived-branch" in /home/dev/shop:')));
});

test('a config the schema refuses fails the plugin with the kernel code, naming the key', async () => {
  await assert.rejects(
    start({ after() {} }, { config: { evaluateEverySec: 1 } }),
    /\[bottleneck-detector\] KRN_ERR_CONFIG_INVALID: .*evaluateEverySec must be >= 10/,
  );
});

test('tool arguments: bounds, bad since, unknown key, and permissions', async (t) => {
  const tk = await start(t);
  await feed(tk, [...fixture('red-tests'), ...fixture('review-wait'), ...fixture('hot-file').slice(0, 8)]);
  const bad = await tk.callTool('bottlenecks_list', { limit: 0 });
  assert.equal(bad.ok ? '' : bad.error.code, 'KRN_ERR_TOOL_INPUT');
  const extra = await tk.callTool('bottlenecks_list', { nope: 1 });
  assert.equal(extra.ok ? '' : extra.error.code, 'KRN_ERR_TOOL_INPUT');
  const since = await tk.callTool('bottlenecks_list', { status: 'resolved', since: 'yesterday' });
  assert.match(since.ok ? '' : since.error.message, /since "yesterday" is not a duration/);
  const missing = await tk.callTool('bottlenecks_explain', { key: 'red-tests:/x:y' });
  assert.match(missing.ok ? '' : missing.error.message, /no finding with key "red-tests:\/x:y"; call bottlenecks_list/);

  const open = await list(tk);
  assert.deepEqual(open.findings.map((f) => [f.rule, f.severity]), [['hot-file', 'info']]);
  const warn = await list(tk, { status: 'all', severity: 'warn' });
  assert.deepEqual(warn.findings.map((f) => [f.rule, f.status]), [['review-wait', 'resolved'], ['red-tests', 'resolved']]);
  const one = await list(tk, { status: 'all', limit: 1 });
  assert.equal(one.truncated, true);
  const since2 = await list(tk, { status: 'resolved', since: '2025-03-04T00:00:00Z', project: '/home/dev/svc/' });
  assert.deepEqual(since2.findings.map((f) => f.rule), ['review-wait'], 'a trailing slash on the project is ignored');
  const explained = await tk.callTool('bottlenecks_explain', { key: 'red-tests:/home/dev/api:npm test' });
  assert.ok(explained.ok);
  assert.deepEqual((explained.value as { resolvedBefore: number; finding: { status: string; evidence: unknown[] } }).finding.status, 'resolved');
  assert.equal((explained.value as { finding: { evidence: unknown[] } }).finding.evidence.length, 3);

  assert.ok((await tk.as('viewer').callTool('bottlenecks_list', {})).ok, 'viewers read');
  const guest = await tk.as('guest').callTool('bottlenecks_list', {});
  assert.equal(guest.ok ? '' : guest.error.code, 'KRN_ERR_FORBIDDEN');
});
