// Unit tests of the pure modules: rule checking and layering, event matching, scoring and hysteresis.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DEFAULT_RULES, SUB_STAGES, STAGES, addSignal, buildRuleSet, compileRule, decayed, decide, eventPaths, globProblem, lead, matchEvent, type CompiledRule, type MatchContext, type StageState, type Tuning } from '../src/index.js';

const M = 60_000;
const tuning: Tuning = { windowMs: 240 * M, halfLifeMs: 60 * M, minDwellMs: 30 * M, minScore: 3, minConfidence: 0.35, subStageShare: 0.25 };
const ctx = (over: Partial<MatchContext> = {}): MatchContext => ({ currentStage: null, prevClock: null, lastSignalAt: () => null, ...over });
const rule = (raw: Record<string, unknown>): CompiledRule => {
  const r = compileRule({ name: 'r', stage: 'coding', weight: 2, ...raw }, 'r');
  if ('code' in r) throw new Error(r.message);
  return r;
};
const ev = (type: string, data: unknown, project: string | null = '/p', ts = 0) => ({ id: 'x', type, ts, project, data });

test('the default rules compile, cover every stage and sub-stage, and are all in the README', () => {
  const { rules, problems } = buildRuleSet([{ where: 'defaults', rules: DEFAULT_RULES }]);
  assert.deepEqual(problems, []);
  assert.equal(rules.length, DEFAULT_RULES.length);
  assert.deepEqual([...new Set(rules.map((r) => r.stage))].sort(), [...STAGES].sort());
  assert.deepEqual([...new Set(rules.map((r) => r.subStage).filter(Boolean))].sort(), [...SUB_STAGES].sort());
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const r of DEFAULT_RULES) assert.ok(readme.includes(`| \`${r.name}\` |`), `README lists ${r.name}`);
});

test('rule problems name what to fix', () => {
  const problem = (raw: unknown) => {
    const r = compileRule(raw, 'x');
    return 'code' in r ? r.message : 'ok';
  };
  const base = { name: 'x', stage: 'frontend', weight: 1, when: { types: ['file-monitor.file.changed'] } };
  assert.equal(problem(base), 'ok');
  assert.match(problem({ ...base, stage: 'qa' }), /unknown stage "qa"/);
  assert.match(problem({ ...base, subStage: 'unit-testing' }), /belongs to stage "coding", not "frontend"/);
  assert.match(problem({ ...base, stage: 'coding', subStage: 'fuzzing' }), /unknown subStage "fuzzing"/);
  assert.match(problem({ ...base, weight: 0 }), /weight must be a number > 0/);
  assert.match(problem({ ...base, weight: '2' }), /weight must be a number/);
  assert.match(problem({ ...base, when: { types: [] } }), /when.types must be a list of 1 to 100 strings/);
  assert.match(problem({ ...base, when: { types: ['file changed'] } }), /is not an event type/);
  assert.match(problem({ ...base, when: { types: ['stage-analyzer.stage.changed'] } }), /own output/);
  assert.match(problem({ ...base, when: { types: ['a.*'], notPathGlobs: ['x'] } }), /needs when.pathGlobs/);
  assert.match(problem({ ...base, when: { types: ['a.*'], fields: { kind: { x: 1 } } } }), /when.fields.kind must be/);
  assert.match(problem({ ...base, when: { types: ['a.*'], withStage: { stage: 'x', withinMinutes: 5 } } }), /withStage must be/);
  assert.match(problem({ ...base, extra: 1 }), /unknown key "extra"/);
  assert.match(problem('rule'), /must be an object/);
  assert.equal(globProblem('**/*.{ts,tsx}'), null);
  assert.match(globProblem('src/[ab')!, /unclosed "\["/);
  assert.match(globProblem('src/a)')!, /unbalanced "\)"/);
  assert.match(globProblem('/abs/**')!, /relative to the project root/);
  assert.match(globProblem('')!, /non-empty/);
});

test('rule layers replace by name, disable by name, and report unknown names', () => {
  const custom = { name: 'prd-docs', stage: 'planning', weight: 9, when: { types: ['file-monitor.file.changed'], pathGlobs: ['**/*.prd'] } };
  const { rules, problems } = buildRuleSet([
    { where: 'defaults', rules: DEFAULT_RULES },
    { where: 'rules', rules: [custom, { name: 'broken-override', stage: 'nope', weight: 1, when: { types: ['a.*'] } }], disable: ['runtime-logs', 'ghost'] },
  ]);
  assert.equal(rules.find((r) => r.name === 'prd-docs')?.stage, 'planning');
  assert.equal(rules.find((r) => r.name === 'prd-docs')?.weight, 9);
  assert.ok(!rules.some((r) => r.name === 'runtime-logs'));
  assert.deepEqual(problems.map((p) => [p.code, p.rule.split(' ')[0]]), [['STAGE_ERR_RULE_INVALID', 'broken-override'], ['STAGE_ERR_RULE_UNKNOWN', 'ghost']]);
  assert.match(problems[1]!.message, /^disable names no known rule "ghost"/);
});

test('paths: relative, forward slashes, junk skipped; multi-path events weigh by the share that matches', () => {
  assert.deepEqual(eventPaths('file-monitor.file.changed', { path: '/p/src/a.ts' }, '/p'), ['src/a.ts']);
  assert.deepEqual(eventPaths('file-monitor.file.changed', { path: 'src\\b.ts' }, '/p'), ['src/b.ts']);
  assert.deepEqual(eventPaths('git-monitor.commit.created', { files: [{ path: 'a' }, 'b', null, { path: 3 }] }, '/p'), ['a', 'b']);
  assert.deepEqual(eventPaths('file-monitor.files.bulk-changed', { sample: 'x' }, '/p'), []);
  assert.deepEqual(eventPaths('file-monitor.file.renamed', { from: 'a', to: 'b' }, null), ['b']);
  const r = rule({ when: { types: ['git-monitor.commit.created'], pathGlobs: ['**/*.test.ts'] } });
  const sigs = matchEvent(ev('git-monitor.commit.created', { files: [{ path: 'a.ts' }, { path: 'a.test.ts' }, { path: 'b.ts' }, { path: 'b.test.ts' }] }), [r], ctx());
  assert.deepEqual(sigs, [{ rule: 'r', stage: 'coding', subStage: null, weight: 1, detail: 'a.test.ts (+1 more)' }]);
  const neg = rule({ when: { types: ['file-monitor.file.changed'], pathGlobs: ['src/**'], notPathGlobs: ['**/*.test.*'] } });
  assert.deepEqual(matchEvent(ev('file-monitor.file.changed', { path: 'src/A.TEST.ts' }), [neg], ctx()), [], 'globs ignore case');
});

test('conditions: commit type, tag pattern, fields, current stage, quiet time, a recent other stage', () => {
  const feat = rule({ when: { types: ['git-monitor.commit.created'], commitTypes: ['feat'] } });
  assert.equal(matchEvent(ev('git-monitor.commit.created', { conventional: { type: 'FEAT' }, subject: 'x' }), [feat], ctx()).length, 1);
  assert.equal(matchEvent(ev('git-monitor.commit.created', { conventional: 'feat' }), [feat], ctx()).length, 0);
  const tag = rule({ when: { types: ['git-monitor.tag.created'], tagPattern: '^v\\d+\\.\\d+\\.\\d+$' } });
  assert.equal(matchEvent(ev('git-monitor.tag.created', { tag: 'v1.2.3' }), [tag], ctx())[0]?.detail, 'tag v1.2.3');
  assert.equal(matchEvent(ev('git-monitor.tag.created', { tag: 'nightly' }), [tag], ctx()).length, 0);
  const run = rule({ when: { types: ['test-monitor.run.finished'], fields: { kind: 'test', 'coverage.lines': [80, 90] }, notFields: { runner: 'cypress' } } });
  assert.equal(matchEvent(ev('test-monitor.run.finished', { kind: 'test', coverage: { lines: 90 }, runner: 'jest' }), [run], ctx()).length, 1);
  assert.equal(matchEvent(ev('test-monitor.run.finished', { kind: 'test', coverage: { lines: 90 }, runner: 'cypress' }), [run], ctx()).length, 0);
  assert.equal(matchEvent(ev('test-monitor.run.finished', { kind: 'test', coverage: null }), [run], ctx()).length, 0);
  const quiet = rule({ stage: 'operation', when: { types: ['system-monitor.*'], afterStages: ['deployment'], quietMinutes: 60 } });
  const sys = ev('system-monitor.threshold.exceeded', { metric: 'cpu', value: 99 }, '/p', 120 * M);
  assert.equal(matchEvent(sys, [quiet], ctx({ currentStage: 'deployment', prevClock: 30 * M })).length, 1);
  assert.equal(matchEvent(sys, [quiet], ctx({ currentStage: 'deployment', prevClock: 90 * M })).length, 0, 'not quiet long enough');
  assert.equal(matchEvent(sys, [quiet], ctx({ currentStage: 'coding', prevClock: 0 })).length, 0, 'not after a deployment');
  const scaffold = rule({ when: { types: ['file-monitor.files.bulk-changed'], withStage: { stage: 'ai-collaboration', withinMinutes: 30 } } });
  const bulk = ev('file-monitor.files.bulk-changed', { sample: [] }, '/p', 100 * M);
  assert.equal(matchEvent(bulk, [scaffold], ctx({ lastSignalAt: (s) => (s === 'ai-collaboration' ? 80 * M : null) })).length, 1);
  assert.equal(matchEvent(bulk, [scaffold], ctx({ lastSignalAt: () => 10 * M })).length, 0);
});

test('scores halve every half-life and vanish outside the window', () => {
  const r = addSignal(undefined, 'prd', '', 0, 0, 4, tuning);
  assert.equal(decayed(r, 60 * M, tuning), 2);
  assert.equal(decayed(r, 120 * M, tuning), 1);
  assert.equal(decayed(r, 241 * M, tuning), 0);
  const late = addSignal(r, 'prd', '', 60 * M, 0, 4, tuning); // an out-of-order signal dated 0, seen at 60 min
  assert.equal(late.score, 4);
  assert.equal(late.lastAt, 0);
});

test('lead: totals per stage, ties by canonical order, a sub-stage only with enough share', () => {
  const rows = [
    { stage: 'backend', subStage: '', score: 3, at: 0, lastAt: 0 },
    { stage: 'frontend', subStage: '', score: 3, at: 0, lastAt: 0 },
    { stage: 'coding', subStage: 'refactoring', score: 2, at: 0, lastAt: 0 },
    { stage: 'coding', subStage: 'unit-testing', score: 2, at: 0, lastAt: 0 },
  ];
  const l = lead(rows, 0, tuning);
  assert.deepEqual([l.leader, l.leaderScore, l.total, l.subLeader], ['coding', 4, 10, 'refactoring']);
  const noSub = lead([...rows.slice(0, 2), { stage: 'backend', subStage: '', score: 0, at: 0, lastAt: 0 }], 0, tuning);
  assert.deepEqual([noSub.leader, noSub.subLeader], ['frontend', null], 'tie → frontend comes before backend');
});

test('hysteresis: a new leader must lead for minDwell; the change is dated when it began leading', () => {
  const start: StageState = { stage: 'backend', subStage: null, since: 0, leader: 'backend', leaderSince: 0, subLeader: null, subLeaderSince: 0 };
  const lf = (score: number) => ({ totals: new Map([['frontend', score], ['backend', 2]]), total: score + 2, leader: 'frontend', leaderScore: score, subLeader: null });
  const a = decide(start, lf(5), 60 * M, tuning);
  assert.equal(a.transition, null);
  assert.deepEqual([a.state.leader, a.state.leaderSince], ['frontend', 60 * M]);
  const b = decide(a.state, lf(6), 80 * M, tuning);
  assert.equal(b.transition, null, '20 minutes is not enough');
  const c = decide(b.state, lf(7), 90 * M, tuning);
  assert.deepEqual(c.transition, { from: 'backend', fromSubStage: null, to: 'frontend', subStage: null, at: 60 * M, confidence: 7 / 9 });
  assert.deepEqual([c.state.stage, c.state.since], ['frontend', 60 * M]);
  const weak = decide(b.state, lf(2.5), 90 * M, tuning);
  assert.equal(weak.transition, null, 'below minScore');
  const first = decide({ stage: null, subStage: null, since: null, leader: null, leaderSince: null, subLeader: null, subLeaderSince: null }, lf(3), 5 * M, tuning);
  assert.equal(first.transition?.to, 'frontend', 'the first stage needs no dwell');
  // Within the current stage, a sub-stage change waits the same way.
  const coding: StageState = { stage: 'coding', subStage: 'business-logic', since: 0, leader: 'coding', leaderSince: 0, subLeader: 'business-logic', subLeaderSince: 0 };
  const lc = { totals: new Map([['coding', 8]]), total: 8, leader: 'coding', leaderScore: 8, subLeader: 'unit-testing' };
  const s1 = decide(coding, lc, 10 * M, tuning);
  assert.equal(s1.transition, null);
  const s2 = decide(s1.state, lc, 40 * M, tuning);
  assert.deepEqual([s2.transition?.from, s2.transition?.to, s2.transition?.subStage, s2.transition?.at], ['coding', 'coding', 'unit-testing', 10 * M]);
});
