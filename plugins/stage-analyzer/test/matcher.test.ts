// Unit test of the fold's memoizing matcher: exactly matchEvent's signals, for every fixture event
// and odd payloads, in every context, with default and custom rules (path-only or not).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { RuleMatcher } from '../src/matcher.js';
import { DEFAULT_RULES, buildRuleSet, matchEvent, type MatchContext } from '../src/index.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}.json`, import.meta.url), 'utf8')) as { type: string; data: unknown; project?: string | null; ts: number | string }[];

test('RuleMatcher gives exactly the signals matchEvent gives', () => {
  const custom = [
    { name: 'fields-on-files', stage: 'backend', weight: 2, when: { types: ['file-monitor.file.changed'], pathGlobs: ['**/*.go'], fields: { kind: 'change' } } },
    { name: 'any-file', stage: 'coding', subStage: 'refactoring', weight: 0.5, when: { types: ['file-monitor.*'] } },
  ];
  const sets = [
    buildRuleSet([{ where: 'defaults', rules: DEFAULT_RULES }]).rules,
    buildRuleSet([{ where: 'defaults', rules: DEFAULT_RULES }, { where: 'rules', rules: custom }]).rules,
  ];
  const events = ['lifecycle', 'ai', 'noisy', 'bad'].flatMap(fixture).map((e, i) => ({ id: `e${i}`, type: e.type, data: e.data, project: e.project ?? null, ts: typeof e.ts === 'number' ? e.ts : Date.parse(e.ts) }));
  const odd = [{ path: '' }, { path: 42 }, { path: null }, null, 'x', { path: 'x'.repeat(5000) }, { to: '/work/demo/shop/src/app.tsx' }, { path: '/work/demo/shop/src/app.tsx' }, { path: 'C:\\work\\x.sql' }];
  for (const data of odd) for (const type of ['file-monitor.file.changed', 'file-monitor.file.renamed']) events.push({ id: 'odd', type, data: data as never, project: '/work/demo/shop', ts: 1 });
  const contexts: MatchContext[] = [
    { currentStage: null, prevClock: null, lastSignalAt: () => null },
    { currentStage: 'deployment', prevClock: -1e9, lastSignalAt: () => 0 },
    { currentStage: 'coding', prevClock: 0, lastSignalAt: (s) => (s === 'ai-collaboration' ? 0 : null) },
  ];
  let signals = 0;
  for (const rules of sets) {
    const m = new RuleMatcher(rules);
    for (let pass = 0; pass < 2; pass++) // the second pass answers from the memo
      for (const e of events)
        for (const ctx of contexts) {
          const want = matchEvent(e, rules, ctx);
          assert.deepEqual(m.match(e, ctx), want, `${e.type} ${JSON.stringify(e.data)?.slice(0, 80)}`);
          signals += want.length;
        }
  }
  assert.ok(signals > 100, `signals compared: ${signals}`);
});
