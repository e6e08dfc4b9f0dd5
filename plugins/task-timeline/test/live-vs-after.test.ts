// Live and after-the-fact computation agree: the same log folded as it is ingested, folded by a
// plugin that starts after the events exist (catch-up from the cursor), and rebuilt from scratch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, type Harness, replay, start } from './helpers.js';

const EVENTS = [...fixture('proj-123.json'), ...fixture('odd-input.json')];

/** Every tool answer, without the one number that depends on the wall clock (time since the task began). */
async function answers(h: Harness) {
  const strip = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x) => (k === 'forMs' ? undefined : x)));
  const out: Record<string, unknown> = {};
  for (const task of ['PROJ-123', 'main', 'fix/utf-8-decoding', 'OPS-7']) out[task] = strip(await h.call('task_timeline', { task, limit: 200 }));
  out.tasks = strip(await h.call('tasks_list', { since: '3650d', limit: 100 }));
  for (const project of ['/home/dev/webapp', '/home/dev/api']) {
    const c = (await h.call('devflow_context', { project })) as { text: string };
    out[project] = strip({ ...c, text: c.text.replace(/^on task \S+/m, 'on task …') });
  }
  return out;
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

test('a timeline that starts after the events were stored catches up to the same answers', async (t) => {
  const h = await start(t, { enabled: false });
  await replay(h.tk, EVENTS);
  await h.enable();
  const caughtUp = await answers(h);
  // Fold the same log live in the same kernel: rebuild, then compare with a fresh live kernel's
  // answers for everything but event ids (two kernels stamp different ids).
  await h.api.rebuild();
  assert.deepEqual(await answers(h), caughtUp, 'catch-up and rebuild agree exactly');
  const live = await start(t);
  await replay(live.tk, EVENTS);
  const noIds = (a: unknown) => JSON.parse(JSON.stringify(a, (k, x) => (k === 'eventId' ? undefined : x)));
  const liveAnswers = noIds(await answers(live));
  const laterAnswers = noIds(caughtUp);
  // The event from 2099 is filed at its recording time, which differs between the two kernels.
  const { 'OPS-7': liveOps, tasks: liveTasks, ...liveRest } = liveAnswers;
  const { 'OPS-7': laterOps, tasks: laterTasks, ...laterRest } = laterAnswers;
  assert.deepEqual(laterRest, liveRest, 'catch-up from the log agrees with live folding');
  const times = (x: unknown) => JSON.parse(JSON.stringify(x, (k, v) => (k === 'ts' || k === 'lastTs' || k === 'text' ? undefined : v)));
  assert.deepEqual(times(laterOps), times(liveOps));
  assert.deepEqual(times(laterTasks), times(liveTasks));
});
