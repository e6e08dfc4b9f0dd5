// Unit tests of the pure modules: anomaly detection, rule settings, rules and payload readers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectSlow, median, robustZ } from '../src/anomaly.js';
import { command, num, str, strings, time, uuidv7Time } from '../src/parse.js';
import { resolveRules, rulesHash, settingsFor, type RuleId, type RuleSettings } from '../src/rule-config.js';
import { renderExplain, renderList } from '../src/render.js';
import { flakyTest, flips, fmtDuration, hotFile, longLivedBranch, reviewWait, slowSeries } from '../src/rules.js';

const D = 86_400_000;
const defaults = (rule: RuleId): RuleSettings => settingsFor(resolveRules({}, {}), '/p', rule)!;

test('median and robust z-score, with the MAD = 0 fallbacks', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
  const r = robustZ(60, [40, 41, 39, 40, 42, 38, 40]);
  assert.equal(r.median, 40);
  assert.equal(r.mad, 1);
  assert.equal(Math.round(r.z * 1000) / 1000, 13.49); // 0.6745 · 20 / 1
  // MAD 0 but values differ: mean absolute deviation (· 1.253314) instead.
  const m = robustZ(50, [40, 40, 40, 40, 60]);
  assert.equal(m.mad, 0);
  assert.equal(Math.round(m.z * 1000) / 1000, Math.round((10 / (1.253314 * 4)) * 1000) / 1000);
  // A perfectly flat history: anything above is infinitely far.
  assert.equal(robustZ(41, [40, 40, 40]).z, Infinity);
  assert.equal(robustZ(40, [40, 40, 40]).z, 0);
});

test('detectSlow: a slowing series alerts only with enough history, a real increase, or above the ceiling', () => {
  const history = [40_000, 41_000, 39_000, 40_500, 42_000, 40_000, 39_500];
  const o = { zThreshold: 3.5, minHistory: 7, minIncrease: 0.25, maxMs: 0 };
  // median 40 000, MAD 500: z = 0.6745 · 55 000 / 500 = 74.19
  assert.deepEqual(detectSlow(95_000, history, o), { slow: true, reason: 'anomaly', z: 74.19, median: 40_000, historyDays: 7 });
  assert.equal(detectSlow(95_000, history.slice(0, 6), o).slow, false, 'six days are not enough history');
  assert.equal(detectSlow(41_500, history, o).slow, false, 'normal noise');
  // A flat series: +1 % is "infinitely" unusual but under the minimum increase.
  assert.equal(detectSlow(40_400, [40_000, 40_000, 40_000, 40_000, 40_000, 40_000, 40_000], o).slow, false);
  assert.equal(detectSlow(60_000, [40_000, 40_000, 40_000, 40_000, 40_000, 40_000, 40_000], o).z, 999);
  assert.deepEqual(detectSlow(130_000, [], { ...o, maxMs: 120_000 }), { slow: true, reason: 'threshold', z: null, median: null, historyDays: 0 });
  // A gradually slowing build: each day 5 % slower than the last; day 15 vs the 14 before.
  const slowing = Array.from({ length: 14 }, (_, i) => 40_000 * 1.05 ** i);
  const r = detectSlow(40_000 * 1.05 ** 20, slowing, { ...o, minHistory: 7 });
  assert.equal(r.slow, true);
  assert.equal(r.reason, 'anomaly');
});

test('rule settings: defaults, overrides, per-project overrides, problems naming the rule, a stable hash', () => {
  const r = resolveRules(
    { 'red-tests': { redMaxMinutes: 30, severity: 'warn' }, 'wip-spread': { enabled: false }, 'long-stage': { stages: { coding: 21 } } },
    { '/a': { 'red-tests': { redMaxMinutes: 60 }, 'wip-spread': { enabled: true } } },
  );
  assert.deepEqual(r.problems, []);
  assert.equal(settingsFor(r, '/b', 'red-tests')?.params.redMaxMinutes, 30);
  assert.equal(settingsFor(r, '/b', 'red-tests')?.severity, 'warn');
  assert.equal(settingsFor(r, '/a', 'red-tests')?.params.redMaxMinutes, 60);
  assert.equal(settingsFor(r, '/b', 'wip-spread'), null, 'disabled');
  assert.equal(settingsFor(r, '/a', 'wip-spread')?.params.maxBranches, 5, 'enabled again in /a with the defaults');
  assert.equal(settingsFor(r, '/b', 'long-stage')?.stages.coding, 21);

  const bad = resolveRules(
    { nope: {}, 'hot-file': 5, 'flaky-test': { minFlips: 10, lastRuns: 10 }, 'slow-build': { zThreshold: 0, colour: 'red' }, 'long-stage': { stages: { coding: -1 } }, 'red-tests': { severity: 'fatal', enabled: 'yes' } },
    { '/a': 'x' },
  );
  const msgs = bad.problems.map((p) => `${p.rule}${p.project ? `@${p.project}` : ''}: ${p.message}`);
  assert.ok(msgs.some((m) => m.startsWith('nope: rules: unknown rule "nope"')));
  assert.ok(msgs.some((m) => m.startsWith('hot-file: rules.hot-file must be an object')));
  assert.ok(msgs.some((m) => m.startsWith('flaky-test: rules.flaky-test.minFlips must be less than lastRuns')));
  assert.ok(msgs.some((m) => m.includes('rules.slow-build.zThreshold (robust z-score from which a day counts as an anomaly) must be a number from 1 to 100 (got 0)')));
  assert.ok(msgs.some((m) => m.includes('rules.slow-build has no setting "colour"; known: enabled, severity, maxMs')));
  assert.ok(msgs.some((m) => m.includes('rules.long-stage.stages.coding must be a number of days')));
  assert.ok(msgs.some((m) => m.includes('rules.red-tests.severity must be one of info, warn, error (got "fatal")')));
  assert.ok(msgs.some((m) => m.includes('rules.red-tests.enabled must be true or false')));
  assert.ok(msgs.some((m) => m.startsWith('*@/a: projects["/a"] must be an object')));
  for (const rule of ['hot-file', 'flaky-test', 'slow-build', 'long-stage', 'red-tests'] as const) assert.equal(settingsFor(bad, '/b', rule), null, `${rule} is disabled`);
  assert.notEqual(settingsFor(bad, '/b', 'long-lived-branch'), null, 'the others keep working');

  assert.equal(rulesHash(resolveRules({}, {}), 1), rulesHash(resolveRules({}, {}), 1));
  assert.notEqual(rulesHash(resolveRules({}, {}), 1), rulesHash(resolveRules({ 'red-tests': { redMaxMinutes: 30 } }, {}), 1));
  assert.ok(Number.isInteger(rulesHash(r, 1)) && rulesHash(r, 1) >= 1);
});

test('rules: limits, escalation, suggestions', () => {
  const b = { repo: '/r', branch: 'feature/x', createdAt: 0, createdEventId: 'e0', firstCommitAt: D, firstEventId: 'e1', lastCommitAt: 20 * D, lastEventId: 'e9', commits: 41, lines: 900 };
  const s = defaults('long-lived-branch');
  assert.equal(longLivedBranch(b, 14 * D, s, 'main'), null, 'at the limit: fine');
  const v = longLivedBranch(b, 23 * D, s, 'main')!;
  assert.equal(v.suggestion, 'Split branch feature/x (23 days, 41 commits) or merge main into it; merge the finished part behind a flag and keep branches under 14 days.');
  assert.equal(v.severity, 'warn');
  assert.equal(longLivedBranch(b, 28 * D, s, 'main')!.severity, 'error', 'twice the limit escalates');
  assert.equal(longLivedBranch(b, 81 * D, s, 'main'), null, 'no commit for 61 days: abandoned, not reported');
  assert.ok(v.evidence.length <= 5);

  assert.equal(flips('PFPFP'), 4);
  assert.equal(flips(''), 0);
  const fl = defaults('flaky-test');
  assert.equal(flakyTest({ command: 'c', test: 't', outcomes: 'FFFFPPPP', lastEventId: 'e' }, fl), null, 'failing then fixed is not flaky');
  assert.equal(flakyTest({ command: 'c', test: 't', outcomes: 'PFPF', lastEventId: 'e' }, fl)?.evidence[1]?.value, 3);
  assert.equal(flakyTest({ command: 'c', test: 't', outcomes: 'FPFPPPPPPPPPPP', lastEventId: 'e' }, fl), null, 'only the last 10 runs count');

  assert.equal(hotFile({ repo: '/r', path: 'a.ts', commits: 8, lines: 399, lastEventId: null }, defaults('hot-file')), null, 'many commits but small ones');
  assert.equal(slowSeries({ kind: 'test', command: 'npm test', today: null, history: [1, 2, 3] }, defaults('slow-tests')), null);
  const rw = reviewWait({ provider: 'gitlab', number: '7', title: null, branch: null, requestedAt: 0, reviewers: [], eventId: 'e' }, 49 * 3_600_000, defaults('review-wait'))!;
  assert.equal(rw.subject, 'MR !7');
  assert.equal(rw.severity, 'error');
  assert.deepEqual([fmtDuration(90_000), fmtDuration(5 * 60_000), fmtDuration(9_000_000), fmtDuration(3 * D)], ['90 s', '5 min', '2.5 h', '3 days']);
});

test('payload readers never throw and coerce what is safe', () => {
  assert.equal(str('  x  '), 'x');
  assert.equal(str(''), null);
  assert.equal(str(5), '5');
  assert.equal(str({}), null);
  assert.equal(num('12'), 12);
  assert.equal(num('x'), null);
  assert.equal(num(Infinity), null);
  assert.equal(time('2025-03-01T00:00:00Z'), Date.parse('2025-03-01T00:00:00Z'));
  assert.equal(time('garbage'), null);
  assert.deepEqual(strings(['a', 1, null, { login: 'bob' }, { name: 'n' }, {}]), ['a', '1', 'bob', 'n']);
  assert.deepEqual(strings('x'), []);
  assert.equal(command('  npm   run\tbuild '), 'npm run build');
  assert.equal(uuidv7Time('01a20366-254b-75aa-8915-a6825105bb33'), 0x01a20366254b);
  assert.equal(uuidv7Time('not-a-uuid'), null);
});

test('text renderings are compact lines with key, suggestion and evidence ids', () => {
  const f = { key: 'red-tests:/p:npm test', rule: 'red-tests', project: '/p', severity: 'error', status: 'open', title: 'Tests red for 3 h: npm test', evidence: [{ detail: 'failing runs in a row', eventId: 'e1', value: 4 }], suggestion: 'Fix it.', openedAt: '2025-03-03T12:30:00.000Z' };
  assert.equal(
    renderList({ findings: [f], openTotal: 1, truncated: false, problems: ['rule "x": unknown'] }),
    ['1 open bottleneck; showing 1', '[error] Tests red for 3 h: npm test — /p, open since 2025-03-03T12:30:00.000Z', '  key: red-tests:/p:npm test', '  → Fix it.', '  evidence: failing runs in a row = 4 [e1]', 'rule settings problems:', '  - rule "x": unknown'].join('\n'),
  );
  assert.match(renderExplain({ finding: { ...f, status: 'resolved', resolvedAt: '2025-03-03T13:00:00.000Z' }, resolvedBefore: 2 }), /resolved 2025-03-03T13:00:00.000Z \(opened .*\n[\s\S]*  - failing runs in a row = 4 \[e1\]\nresolved before: 2 times$/);
});
