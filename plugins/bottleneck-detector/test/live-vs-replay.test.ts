// Live and after-the-fact computation agree: the same log gives the same findings, events and tool
// answers whether the detector ran while the events arrived, started after them, or was rebuilt.
// Also the wall-clock check: time-based rules open with no new event, and replay keeps them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestKernel } from '@devflow/core/testing';
import { ID, api, derived, feed, fixture, list, ms, settle, start } from './helpers.js';

const ALL = ['long-lived-branch', 'red-tests', 'flaky-test', 'slow-build', 'hot-file', 'long-stage', 'wip-spread', 'review-wait'].flatMap((n) => fixture(n));
const CHECK_AT = ms('2025-04-30T00:00:00Z');

/** Every answer the tools give, and the detector's events (order-free). */
type Snapshot = { all: Awaited<ReturnType<typeof list>>; explained: unknown[]; open: unknown; events: string[] };

async function snapshot(tk: TestKernel): Promise<Snapshot> {
  const all = await list(tk, { status: 'all', limit: 50 });
  const explained = [];
  for (const f of all.findings) {
    const r = await tk.callTool('bottlenecks_explain', { key: f.key });
    assert.ok(r.ok, JSON.stringify(r));
    explained.push(r.value);
  }
  const events = derived(tk).map((e) => JSON.stringify([e.type, e.data, e.ts])).sort();
  // Two kernels give the same events different ids: name each by its position among the fixture events.
  const position = new Map(tk.events.filter((e) => !e.type.startsWith(`${ID}.`) && !e.type.startsWith('kernel.')).map((e, i) => [e.id, `#${i}`]));
  const text = JSON.stringify({ all, explained, open: await list(tk, { limit: 50 }), events }).replace(/"eventId":"([^"]+)"|\\"eventId\\":\\"([^"\\]+)\\"/g, (m, a?: string, b?: string) => m.replace((a ?? b)!, position.get((a ?? b)!) ?? 'unknown'));
  assert.ok(!text.includes('unknown'), 'every evidence id is a fixture event');
  return JSON.parse(text) as Snapshot;
}

test('live, started afterwards, and rebuilt: identical findings, events and tool output', async (t) => {
  const live = await start(t);
  await feed(live, ALL);
  assert.ok((await api(live).evaluateNow(CHECK_AT)) > 0, 'the wall-clock check found branches that grew old');
  await settle(live);
  const a = await snapshot(live);
  assert.ok(a.all.findings.length >= 12, `findings of every rule: ${a.all.findings.length}`);
  assert.deepEqual(new Set(a.all.findings.map((f) => f.rule)), new Set(['long-lived-branch', 'red-tests', 'flaky-test', 'slow-build', 'hot-file', 'long-stage', 'wip-spread', 'review-wait']));

  const later = await start(t, { enabled: false });
  await feed(later, ALL);
  assert.equal(derived(later).length, 0, 'nothing while the detector is off');
  const change = await later.kernel.setPluginEnabled(ID, true, later.kernel.localPrincipal);
  assert.deepEqual(change.started, [ID]);
  await api(later).ready();
  await settle(later);
  assert.ok((await api(later).evaluateNow(CHECK_AT)) > 0);
  await settle(later);
  assert.deepEqual(await snapshot(later), a, 'started after the events: same answers and the same events');

  await api(live).rebuild();
  const rebuilt = await snapshot(live);
  assert.deepEqual(rebuilt, a, 'rebuilt from the log (clock events included): same answers, no new events');
});

test('wall-clock check: a branch grows old with no new event; the check is idempotent and survives a rebuild', async (t) => {
  const tk = await start(t);
  const P = '/home/dev/shop';
  const ev = await feed(tk, fixture('long-lived-branch').slice(0, 2));
  const d = api(tk);
  assert.equal(await d.evaluateNow(ms('2025-03-10T00:00:00Z')), 0, 'nine days: not yet');
  assert.equal(await d.evaluateNow(ms('2025-03-20T00:00:00Z')), 1);
  await settle(tk);
  assert.equal(await d.evaluateNow(ms('2025-03-20T00:00:00Z')), 0, 'already open: nothing twice');
  const o = derived(tk).filter((e) => e.type === 'bottleneck.opened');
  assert.equal(o.length, 1);
  assert.deepEqual([o[0]!.data.key, o[0]!.data.trigger, o[0]!.data.openedAt, o[0]!.ts], [`long-lived-branch:${P}:${P}#feature/checkout`, 'clock', ms('2025-03-20T00:00:00Z'), ms('2025-03-20T00:00:00Z')]);
  assert.deepEqual((o[0]!.data.evidence as { eventId?: string }[])[0]!.eventId, ev[0]!.id);
  const before = await list(tk);
  await d.rebuild();
  assert.deepEqual(await list(tk), before, 'the clock event in the log reopens it on replay');
  assert.deepEqual(d.open(P).map((f) => f.key), [`long-lived-branch:${P}:${P}#feature/checkout`]);

  await feed(tk, fixture('long-lived-branch').slice(4));
  const r = derived(tk).filter((e) => e.type === 'bottleneck.resolved');
  assert.deepEqual(r.map((e) => [e.data.trigger, e.data.resolvedAt]), [['event', ms('2025-03-22T10:00:00Z')]]);
  assert.deepEqual(d.open(P), []);
});

test('wall-clock check resolves too: a hot file cools down with no new commit', async (t) => {
  const tk = await start(t);
  await feed(tk, fixture('hot-file').slice(0, 8));
  assert.equal((await list(tk)).openTotal, 1);
  assert.equal(await api(tk).evaluateNow(ms('2025-03-30T00:00:00Z')), 1);
  await settle(tk);
  const r = derived(tk).filter((e) => e.type === 'bottleneck.resolved');
  assert.deepEqual(r.map((e) => [e.data.rule, e.data.trigger, e.data.resolvedAt]), [['hot-file', 'clock', ms('2025-03-30T00:00:00Z')]]);
  assert.equal((await list(tk)).openTotal, 0);
});

test('batch size does not matter: one event per batch and the whole log at once give identical findings and events', async (t) => {
  const whole = await start(t);
  await feed(whole, ALL);
  const single = await start(t);
  for (const e of ALL) await feed(single, [e]);
  for (const tk of [whole, single]) {
    assert.ok((await api(tk).evaluateNow(CHECK_AT)) > 0);
    await settle(tk);
  }
  const a = await snapshot(whole);
  assert.ok(a.all.findings.length >= 12, `findings of every rule: ${a.all.findings.length}`);
  assert.deepEqual(await snapshot(single), a, 'one event per batch: same answers and the same events');
  await api(single).rebuild();
  assert.deepEqual(await snapshot(single), a, 'rebuilt in large batches: same answers');
});
