// Bad input: events without a branch or the fields they need, odd types, out-of-order and future
// times, unknown tasks and projects, huge strings; and a bad config.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestKernel } from '@devflow/core/testing';
import taskTimeline, { recordedAt } from '../src/index.js';
import { type Entry, fixture, rendered, replay, start } from './helpers.js';

const API = '/home/dev/api';

test('odd events are skipped or repaired, never thrown; out-of-order and future times are handled', async (t) => {
  const h = await start(t);
  const stored = await replay(h.tk, fixture('odd-input.json'));
  assert.ok(!h.tk.logs.some((l) => l.plugin === 'task-timeline' && l.level >= 40), 'no skipped-event warnings: bad fields are tolerated, not errors');

  const fix = await h.call<{ task: string; entries: Entry[] }>('task_timeline', { task: 'fix/utf-8-decoding' });
  assert.equal(fix.task, 'fix/utf-8-decoding', 'UTF-8 is not an issue key');
  assert.deepEqual(fix.entries.map((e) => [new Date(e.ts).toISOString().slice(11, 16), e.kind, e.summary]), [
    ['10:05', 'test', 'tests red (exit 1) in 0s'],
    ['10:07', 'edit', '3 edits to src/decode.ts'],
    ['10:20', 'commit', 'commit aaaaaaa: no AI assistance seen, after 1 red test run'],
    ['10:25', 'test', 'tests red: 1 of 4 failed (decodes latin-1)'],
    ['10:30', 'commit', 'commit bbbbbbb: no AI assistance seen'],
  ]);
  // The newer commit arrived first (backfill order): when the older one came, the newer one's
  // narrative was recomputed from the older commit on. The late red run does not rewrite it.
  const edit = fix.entries[1] as Entry;
  assert.deepEqual(edit.facts, { edits: 3, files: 1, dir: 'src', file: 'src/decode.ts', added: 7, removed: 0 });

  const ops = await h.call<{ task: string; project: string; entries: Entry[] }>('task_timeline', { task: 'OPS-7' });
  assert.equal(ops.project, API);
  assert.deepEqual(ops.entries.map((e) => e.summary), [
    'checked out ops-7-retry (from fix/utf-8-decoding)',
    'github pr opened #7: Retry uploads (open)',
    'jira issue transitioned: Retry uploads (In Review)',
    'github pr merged #7: Retry uploads',
  ]);
  const future = ops.entries[3] as Entry;
  const futureEvent = stored[stored.length - 1];
  assert.equal(future.eventId, futureEvent?.id);
  assert.equal(future.ts, recordedAt(future.eventId), 'a time from 2099 is filed at the time the kernel recorded the event');

  const list = await h.call<{ tasks: { task: string }[] }>('tasks_list', { project: API, since: '3650d' });
  assert.deepEqual(list.tasks.map((x) => x.task).sort(), ['OPS-7', 'fix/utf-8-decoding']);

  // Detached HEAD: the branch is unknown, the context says so and falls back to the latest task.
  const ctx = await h.call<{ branch: string | null; task: string; tests: { state: string } }>('devflow_context', { project: API });
  assert.equal(ctx.task, 'OPS-7');
  assert.equal(ctx.branch, null, 'detached');
  assert.equal(ctx.tests.state, 'none');
});

test('unknown tasks and projects answer with empty results and a note', async (t) => {
  const h = await start(t);
  const none = await h.call<{ entries: unknown[]; note: string; text: string }>('devflow_context');
  assert.equal(none.note, 'no activity recorded yet');
  assert.equal(none.text, 'no activity recorded yet');
  const tl = await h.call<{ entries: unknown[]; note: string }>('task_timeline', {});
  assert.deepEqual(tl.entries, []);
  assert.equal(tl.note, 'no current task; nothing recorded yet');
  await replay(h.tk, fixture('proj-123.json'));
  const unknown = await h.call<{ entries: unknown[]; note: string; task: null }>('task_timeline', { task: 'NOPE-1' });
  assert.deepEqual(unknown.entries, []);
  assert.equal(unknown.note, 'no task "NOPE-1"; recent tasks: main, PROJ-123');
  const elsewhere = await h.call<{ note: string }>('devflow_context', { project: '/nowhere' });
  assert.equal(elsewhere.note, 'no activity recorded for project /nowhere; known: /home/dev/webapp');
  const empty = await h.call<{ tasks: unknown[] }>('tasks_list', { project: '/nowhere' });
  assert.deepEqual(empty.tasks, []);
  assert.equal(h.render('tasks_list', empty), 'no tasks recorded in that window');
  assert.equal(h.render('task_timeline', unknown), 'no task "NOPE-1"; recent tasks: main, PROJ-123');
  assert.equal(h.render('devflow_context', none), 'no activity recorded yet');
  const bad = await h.tk.callTool('task_timeline', { since: 'yesterday-ish' });
  assert.ok(!bad.ok && /since "yesterday-ish" is not an ISO time/.test(bad.error.message));
  const tooMany = await h.tk.callTool('task_timeline', { limit: 500 });
  assert.ok(!tooMany.ok, 'limit is bounded by the schema');
  const guest = await h.tk.as('guest').callTool('devflow_context', {});
  assert.ok(!guest.ok && guest.error.code === 'KRN_ERR_FORBIDDEN', 'tasks:read is checked');
  assert.ok((await h.tk.as('viewer').callTool('tasks_list', {})).ok);
});

test('devflow_context stays under 1 KB of text (and its JSON under 2 KB) with huge inputs', async (t) => {
  const h = await start(t);
  const P = `/home/${'deep/'.repeat(900)}project`;
  const branch = `feature/${'x'.repeat(280)}`;
  const long = (c: string) => c.repeat(5000);
  const events = [
    { type: 'git-monitor.branch.switched', project: P, ts: '2026-05-01T09:00:00Z', data: { to: branch } },
    ...Array.from({ length: 40 }, (_, i) => ({ type: 'file-monitor.file.changed', project: P, ts: `2026-05-01T09:${String(10 + i).padStart(2, '0')}:00Z`, data: { path: `src/${'very-long-directory-name/'.repeat(150)}file-${i}.ts`, count: 40 - i } })),
    { type: 'test-monitor.run.finished', project: P, ts: '2026-05-01T10:00:00Z', data: { runId: 'big', kind: 'test', ok: false, exitCode: 1, failed: 1000, passed: 0, failingTests: Array.from({ length: 1000 }, (_, i) => `${long('t')} ${i}`), branch } },
    { type: 'stage-analyzer.stage.changed', project: P, ts: '2026-05-01T10:01:00Z', data: { to: long('s'), subStage: long('u'), confidence: 0.5 } },
    ...Array.from({ length: 30 }, (_, i) => ({ type: 'bottleneck-detector.bottleneck.opened', project: P, ts: '2026-05-01T10:02:00Z', data: { key: `k${i}`, title: `${long('b')} ${i}`, severity: 'error' } })),
  ];
  await replay(h.tk, events);
  const r = await h.tk.callTool('devflow_context', {});
  assert.ok(r.ok);
  const v = r.value as { text: string; tests: { failing: string[]; runs: number }; hotFiles: unknown[]; bottlenecks: { open: number; top: string[] } };
  assert.equal(v.tests.runs, 1);
  assert.equal(v.tests.failing.length, 3);
  assert.equal(v.hotFiles.length, 3);
  assert.equal(v.bottlenecks.open, 30);
  assert.equal(v.bottlenecks.top.length, 2);
  assert.ok(Buffer.byteLength(v.text) < 1024, `text is ${Buffer.byteLength(v.text)} bytes`);
  // What an MCP client reads is the tool's rendering of the result: the same compact lines.
  const mcpText = rendered(h.tk, 'devflow_context', r.value);
  assert.ok(Buffer.byteLength(mcpText) < 1024, `rendered text is ${Buffer.byteLength(mcpText)} bytes`);
  assert.equal(mcpText, v.text);
  assert.ok(mcpText.split('\n').length <= 8, mcpText);
  assert.ok(Buffer.byteLength(JSON.stringify(v)) < 2048, `JSON is ${Buffer.byteLength(JSON.stringify(v))} bytes`);
  const tl = await h.tk.callTool('task_timeline', { limit: 200 });
  assert.ok(tl.ok && Buffer.byteLength(JSON.stringify(tl.value)) < 64 * 1024, 'timelines are bounded too');
  assert.ok(Buffer.byteLength(rendered(h.tk, 'task_timeline', tl.value)) < 32 * 1024, 'and so is their text');
});

test('a bad config is refused with the key and the plugin named', async (t) => {
  const tk = await createTestKernel({ plugins: [taskTimeline], config: { plugins: { 'task-timeline': { config: { burstGapMinutes: 0, extra: true } } } }, allowFailures: true, t });
  const problems = tk.report.problems.map((p) => p.message).join('\n');
  assert.match(problems, /task-timeline/);
  assert.match(problems, /KRN_ERR_CONFIG_INVALID/);
  assert.match(problems, /burstGapMinutes/);
});
