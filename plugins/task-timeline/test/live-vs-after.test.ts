// Live and after-the-fact computation agree: the same log folded as it is ingested, folded by a
// plugin that starts after the events exist (catch-up from the cursor: in the same kernel, or in a
// second kernel opened on the database file a first one wrote), and rebuilt from scratch.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTestKernel, eventSources } from '@devflow/core/testing';
import { fixture, generated, type Harness, replay, SOURCES, start } from './helpers.js';

const EVENTS = [...fixture('proj-123.json'), ...fixture('odd-input.json')];

/** Every tool answer and its MCP text, without the one number that depends on the wall clock (time since the task began). */
async function answers(h: Harness) {
  const strip = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x) => (k === 'forMs' ? undefined : x)));
  const out: Record<string, unknown> = {};
  for (const task of ['PROJ-123', 'main', 'fix/utf-8-decoding', 'OPS-7']) {
    const v = await h.call('task_timeline', { task, limit: 200 });
    out[task] = strip({ ...v, mcpText: h.render('task_timeline', v) });
  }
  const list = await h.call('tasks_list', { since: '3650d', limit: 100 });
  out.tasks = strip({ ...list, mcpText: h.render('tasks_list', list) });
  for (const project of ['/home/dev/webapp', '/home/dev/api']) {
    const c = (await h.call('devflow_context', { project })) as { text: string };
    const text = c.text.replace(/^on task \S+/m, 'on task …');
    assert.equal(h.render('devflow_context', c), c.text);
    out[project] = strip({ ...c, text });
  }
  return out;
}

/**
 * Answers of two kernels that stored the same events: equal but for event ids (each kernel stamps
 * its own) and the event from 2099, filed at its recording time, which differs between kernels.
 */
function assertSameButIds(later: Record<string, unknown>, live: Record<string, unknown>) {
  const noIds = (a: unknown) => JSON.parse(JSON.stringify(a, (k, x) => (k === 'eventId' ? undefined : x)));
  const { 'OPS-7': liveOps, tasks: liveTasks, ...liveRest } = noIds(live);
  const { 'OPS-7': laterOps, tasks: laterTasks, ...laterRest } = noIds(later);
  assert.deepEqual(laterRest, liveRest, 'catch-up from the log agrees with live folding');
  const times = (x: unknown) => JSON.parse(JSON.stringify(x, (k, v) => (k === 'ts' || k === 'lastTs' || k === 'mcpText' ? undefined : v)));
  assert.deepEqual(times(laterOps), times(liveOps));
  assert.deepEqual(times(laterTasks), times(liveTasks));
}

test('live folding and rebuild() give the same answers', async (t) => {
  const live = await start(t);
  await replay(live.tk, EVENTS);
  const liveAnswers = await answers(live);
  assert.equal((liveAnswers['PROJ-123'] as { entries: unknown[] }).entries.length, 16);
  assert.equal((liveAnswers['OPS-7'] as { entries: unknown[] }).entries.length, 4);
  await live.api.rebuild();
  assert.deepEqual(await answers(live), liveAnswers, 'rebuild() reproduces the live fold, event ids included');
});

test('the fold does not depend on how the log is cut into batches', async (t) => {
  const whole = await start(t);
  await replay(whole.tk, EVENTS);
  const expected = await answers(whole);
  // One event per batch: the per-batch caches start empty every time.
  const oneByOne = await start(t);
  for (const e of EVENTS) await replay(oneByOne.tk, [e]);
  assertSameButIds(await answers(oneByOne), expected);
});

test('a generated stream (edits, commits, runs, sessions, switches over 3 projects) folds the same in any batch cut', async (t) => {
  const events = generated(1500);
  const all = async (h: Harness) => {
    const out: Record<string, unknown> = { tasks: await h.call('tasks_list', { since: '3650d', limit: 100 }) };
    for (const { task, project } of (out.tasks as { tasks: { task: string; project: string }[] }).tasks) out[`${project} ${task}`] = await h.call('task_timeline', { task, project, limit: 200 });
    for (let i = 0; i < 3; i++) {
      const c = (await h.call('devflow_context', { project: `/home/dev/gen${i}` })) as { text: string };
      out[`ctx${i}`] = { ...c, text: c.text.replace(/^on task \S+/m, 'on task …') };
    }
    return JSON.parse(JSON.stringify(out, (k, x) => (k === 'eventId' || k === 'forMs' ? undefined : x)));
  };
  const whole = await start(t);
  await replay(whole.tk, events);
  const expected = await all(whole);
  assert.ok((expected.tasks as { tasks: unknown[] }).tasks.length >= 6);
  const cut = await start(t);
  for (let i = 0; i < events.length; i += 7) await replay(cut.tk, events.slice(i, i + 7));
  assert.deepEqual(await all(cut), expected, 'batches of 7 events give the answers of batches of 500');
  await cut.api.rebuild();
  assert.deepEqual(await all(cut), expected, 'and so does a rebuild (catch-up chunks of 2,000)');
});

test('a timeline that starts after the events were stored catches up to the same answers', async (t) => {
  const h = await start(t, { enabled: false });
  await replay(h.tk, EVENTS);
  await h.enable();
  const caughtUp = await answers(h);
  await h.api.rebuild();
  assert.deepEqual(await answers(h), caughtUp, 'catch-up and rebuild agree exactly');
  const live = await start(t);
  await replay(live.tk, EVENTS);
  assertSameButIds(caughtUp, await answers(live));
});

test('a second kernel on the database a first one wrote (without task-timeline) folds it to the live answers', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'task-timeline-home-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  // Kernel A: only the event sources; it stores the log and closes.
  const a = await createTestKernel({ plugins: eventSources(SOURCES), home });
  const stored = await replay(a, EVENTS);
  assert.equal(stored.filter(Boolean).length, EVENTS.length);
  await a.close();
  // Kernel B: the same database file, with task-timeline, which catches up from its cursor.
  const b = await start(t, { home });
  const later = await answers(b);
  const ids = new Set(stored.map((e) => e?.id));
  const first = (later['PROJ-123'] as { entries: { eventId: string }[] }).entries;
  assert.ok(first.length > 0 && first.every((e) => ids.has(e.eventId)), 'entries point at the events kernel A stored');
  await b.api.rebuild();
  assert.deepEqual(await answers(b), later, 'and a rebuild agrees exactly');
  const live = await start(t);
  await replay(live.tk, EVENTS);
  assertSameButIds(later, await answers(live));
});
