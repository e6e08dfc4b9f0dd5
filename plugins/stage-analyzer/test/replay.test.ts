// Live and after-the-fact computation agree: the projection folding events as they are ingested,
// a kernel that starts the plugin after the events exist (catch-up), and a rebuild all give the same
// tool answers and the same stage.changed events.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { answers, byPosition, call, fixture, kernel, path, play, stageAnalyzer, type CurrentOut, type HistoryOut } from './helpers.js';

const PROJECTS = ['/work/demo/shop', '/work/demo/agent', '/work/demo/noisy', '/work/demo/odd'];
const all = () => [...fixture('lifecycle'), ...fixture('ai'), ...fixture('noisy'), ...fixture('bad')];
const changedOf = (events: readonly { type: string; data: Record<string, unknown> }[]) => events.filter((e) => e.type === 'stage-analyzer.stage.changed').map((e) => e.data);

test('live, catch-up after the fact, and rebuild give identical answers', async (t) => {
  const fx = all();
  // Live: the plugin runs while the events are ingested.
  const live = await kernel({ t });
  const liveStored = await play(live, fx);
  const liveAnswers = await answers(live, PROJECTS);
  const liveChanged = changedOf(live.events);
  assert.equal(liveChanged.length, 7 + 2 + 1 + 1);

  // After the fact: the events are written by a kernel without the plugin; a second kernel on the
  // same database file starts the plugin, which catches up from the log.
  const home = mkdtempSync(join(tmpdir(), 'stage-analyzer-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const writer = await kernel({ home, withAnalyzer: false });
  const stored = await play(writer, fx);
  await writer.close();
  const later = await kernel({ home, t });
  assert.deepEqual(byPosition(await answers(later, PROJECTS), stored), byPosition(liveAnswers, liveStored));
  await new Promise((r) => setTimeout(r, 50)); // derived events of the catch-up are committed in the next batch
  later.flush();
  assert.deepEqual(byPosition(changedOf(later.events), stored), byPosition(liveChanged, liveStored), 'the catch-up emits the same transitions');

  // Rebuild: reset and fold the whole log again; derived events are not emitted twice.
  const before = live.events.length;
  await live.use(stageAnalyzer).rebuild();
  assert.deepEqual(await answers(live, PROJECTS), liveAnswers);
  live.flush();
  assert.equal(changedOf(live.events.slice(before)).length, 0, 'a rebuild emits nothing');
});

test('one event at a time or all in one batch: the same result', async (t) => {
  const fx = fixture('lifecycle');
  const batched = await kernel({ t });
  const a = await play(batched, fx);
  const single = await kernel({ t });
  const b: Awaited<ReturnType<typeof play>> = [];
  for (const e of fx) b.push(...(await play(single, [e])));
  assert.deepEqual(byPosition(await answers(single, ['/work/demo/shop']), b), byPosition(await answers(batched, ['/work/demo/shop']), a));
});

test('events that arrive out of time order still count while inside the window', async (t) => {
  const tk = await kernel({ t });
  // The PRD morning, newest first: seq order is the reverse of time order.
  const fx = fixture('lifecycle').filter((e) => Date.parse(e.ts as string) < Date.parse('2025-03-03T12:00:00Z')).reverse();
  await play(tk, fx);
  const now = await call<CurrentOut>(tk, 'stage_current', { project: '/work/demo/shop' });
  assert.equal(now.stage, 'prd');
  assert.equal(now.since, '2025-03-03T10:55:00.000Z', 'the stage starts at the project clock when it was first seen');
  assert.equal(now.lastEventAt, '2025-03-03T10:55:00.000Z', 'older events never move the clock back');
  assert.equal(now.evidence.length, 5);
  assert.ok(now.evidence.every((e) => e.rule === 'prd-docs'));
  // Decay is by event time, not arrival: the newest signal (the 10:55 commit of both documents) ranks first.
  assert.deepEqual([now.evidence[0]?.eventType, now.evidence[0]?.detail], ['git-monitor.commit.created', 'docs/prd.md (+1 more)']);
  assert.deepEqual(now.evidence.slice(1).map((e) => e.detail), ['docs/specs/checkout.md', 'docs/prd.md', 'docs/specs/checkout.md', 'docs/prd.md']);
  const h = await call<HistoryOut>(tk, 'stage_history', { project: '/work/demo/shop' });
  assert.deepEqual(path(h), [['2025-03-03T10:55:00.000Z', null, 'prd', null]]);
});
