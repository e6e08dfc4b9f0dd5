import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TOOL_NAMES, OTHER_TOOLS, applyFacts, newSession, primaryModel, type UnitLedger } from '../src/aggregate.js';
import type { RecordFacts, Usage } from '../src/parsers/types.js';
import { WarnLimiter } from '../src/warn-limiter.js';

function ledger(): UnitLedger & { map: Map<string, Usage> } {
  const map = new Map<string, Usage>();
  return { map, get: (u) => map.get(u), put: (u, x) => void map.set(u, { ...x }) };
}

const T = 1_700_000_000_000;
const CAP = 5 * 60_000;

test('active time sums forward gaps, each at most the cap; older records add no time', () => {
  const s = newSession('claude:s', 'claude', 's');
  const l = ledger();
  for (const ts of [T, T + 60_000, T + 120_000, T + 3_600_000, T + 3_660_000, T + 30_000]) applyFacts(s, { ts }, l, CAP);
  assert.equal(s.startedAt, T);
  assert.equal(s.lastAt, T + 3_660_000);
  assert.equal(s.activeMs, 60_000 + 60_000 + CAP + 60_000);
});

test('prompts, tool calls and responses count once per id; a response seen again adds only what grew', () => {
  const s = newSession('claude:s', 'claude', 's');
  const l = ledger();
  const resp = (output: number): RecordFacts => ({ ts: T, model: 'm1', usage: { id: 'm:1', usage: { input: 100, output, cached: 1000 } } });
  assert.equal(applyFacts(s, { ts: T, promptId: 'p:1' }, l, CAP), true);
  assert.equal(applyFacts(s, { ts: T, promptId: 'p:1' }, l, CAP), false, 'the same prompt again changes nothing');
  applyFacts(s, resp(5), l, CAP);
  applyFacts(s, resp(5), l, CAP);
  applyFacts(s, resp(80), l, CAP);
  assert.deepEqual(s.tokens, { input: 100, output: 80, cached: 1000 });
  assert.deepEqual(s.models, { m1: 1 }, 'one response, however often it was written');
  applyFacts(s, { ts: T, toolCalls: [{ id: 't:1', name: 'Read' }, { id: 't:2', name: 'github/create_issue' }] }, l, CAP);
  applyFacts(s, { ts: T, toolCalls: [{ id: 't:1', name: 'Read' }] }, l, CAP);
  assert.deepEqual(s.toolCalls, { Read: 1, 'github/create_issue': 1 });
  assert.equal(s.toolCallsTotal, 2);
  assert.equal(s.prompts, 1);
});

test('cumulative totals (Codex) replace counts only when larger', () => {
  const s = newSession('codex:s', 'codex', 's');
  const l = ledger();
  applyFacts(s, { ts: T, cumulative: { input: 100, output: 10, cached: 50 } }, l, CAP);
  applyFacts(s, { ts: T + 1, cumulative: { input: 300, output: 30, cached: 150 } }, l, CAP);
  applyFacts(s, { ts: T + 2, cumulative: { input: 100, output: 10, cached: 50 } }, l, CAP);
  assert.deepEqual(s.tokens, { input: 300, output: 30, cached: 150 });
});

test('an end record ends the session unless something newer was seen; records after it resume it', () => {
  const s = newSession('q:s', 'qwen', 's');
  const l = ledger();
  applyFacts(s, { ts: T }, l, CAP);
  applyFacts(s, { ts: T + 10, ended: true }, l, CAP);
  assert.equal(s.transcriptEnded, true);
  applyFacts(s, { ts: T + 20 }, l, CAP);
  assert.equal(s.transcriptEnded, false, 'resumed');
  applyFacts(s, { ts: T + 10, ended: true }, l, CAP);
  assert.equal(s.transcriptEnded, false, 're-reading the old end record does not end a resumed session');
});

test('tool names and models are bounded; the main model is the one used most', () => {
  const s = newSession('c:s', 'claude', 's');
  const l = ledger();
  for (let i = 0; i < MAX_TOOL_NAMES + 5; i++) applyFacts(s, { ts: T, toolCalls: [{ id: `t:${i}`, name: `tool${i}` }] }, l, CAP);
  assert.equal(Object.keys(s.toolCalls).length, MAX_TOOL_NAMES + 1);
  assert.equal(s.toolCalls[OTHER_TOOLS], 5);
  assert.equal(primaryModel({ a: 1, b: 3, c: 3 }), 'b');
  assert.equal(primaryModel({}), null);
});

test('WarnLimiter lets one warning per key through per interval and reports the held-back count', () => {
  let now = 0;
  const out: { fields: Record<string, unknown>; msg: string }[] = [];
  const w = new WarnLimiter((fields, msg) => out.push({ fields, msg }), 1000, () => now);
  assert.equal(w.warn('a', { x: 1 }, 'bad'), true);
  assert.equal(w.warn('a', { x: 2 }, 'bad'), false);
  assert.equal(w.warn('a', { x: 3 }, 'bad'), false);
  assert.equal(w.warn('b', {}, 'other'), true, 'keys are independent');
  now = 1000;
  assert.equal(w.warn('a', { x: 4 }, 'bad'), true);
  assert.equal(out.length, 3);
  assert.equal(out[2]!.fields.suppressed, 2);
  assert.match(out[2]!.msg, /2 similar warning\(s\) held back/);
});
