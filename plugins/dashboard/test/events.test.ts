import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesType, mergeNewest, partialFields, sourceOf, summarize, toActivityItem } from '../web/lib/events.js';
import { backoffMs, staleCards } from '../web/lib/live-logic.js';
import { matchRoute, pathWith, RESERVED, ROUTES } from '../web/lib/routes.js';

test('summaries of the common events, tolerant of odd data', () => {
  assert.equal(summarize('file-monitor.file.changed', { kind: 'modified', path: 'src/a.ts', linesAdded: 3, linesRemoved: 1, count: 2 }), 'modified src/a.ts (+3 −1) ×2');
  assert.equal(summarize('git-monitor.commit.created', { hash: 'abcdef123', branch: 'main', subject: 'fix: x' }), 'commit abcdef1 on main: fix: x');
  assert.equal(summarize('test-monitor.run.finished', { kind: 'test', ok: false, passed: 3, failed: 1, durationMs: 2000, command: 'npm test' }), 'test failed: 3 passed, 1 failed in 2s — npm test');
  assert.equal(summarize('stage-analyzer.stage.changed', { from: 'coding', to: 'deployment', subStage: null }), 'stage coding → deployment');
  assert.equal(summarize('kernel.plugin.stopped', { plugin: 'metrics' }), 'plugin metrics stopped');
  assert.equal(summarize('x.thing.happened', { a: 1, b: { deep: true }, c: 'z' }), 'thing happened: a=1 c=z');
  for (const bad of [null, 42, 'str', [], { path: { nested: 1 } }]) assert.equal(typeof summarize('file-monitor.file.changed', bad), 'string');
});

test('partialFields reads the scalar fields of JSON cut short', () => {
  const cut = '{"repo":"/p","hash":"00fe10dd8","parents":["66cb"],"author":{"name":"A"},"subject":"fix: \\"q\\"","branch":"feature/x","fil';
  assert.deepEqual(partialFields(cut), { repo: '/p', hash: '00fe10dd8', name: 'A', subject: 'fix: "q"', branch: 'feature/x' });
  assert.deepEqual(partialFields('{"a":1,"b":true,"c":null,"d":"x\\'), { a: 1, b: true, c: null });
});

test('toActivityItem: stream events, query rows and activity rows; rejects what is not an event', () => {
  const stream = toActivityItem({ seq: 5, id: 'i', type: 'file-monitor.file.changed', project: '/p', ts: 1000, severity: 'info', data: { kind: 'created', path: 'a' } });
  assert.deepEqual(stream, { seq: 5, ts: 1000, type: 'file-monitor.file.changed', project: '/p', severity: 'info', summary: 'created a' });
  const row = toActivityItem({ seq: 6, type: 'git-monitor.commit.created', time: '2026-01-01T00:00:00.000Z', project: null, severity: 'info', summary: 'server line', data: '{"hash":"abc1234567","subject":"feat: y","br' });
  assert.equal(row?.ts, Date.parse('2026-01-01T00:00:00.000Z'));
  assert.equal(row?.summary, 'commit abc1234: feat: y');
  assert.equal(toActivityItem({ seq: 7, type: 'x.y.z', summary: 'kept', data: 'plain text' })?.summary, 'kept');
  for (const bad of [null, 'x', { type: 'a' }, { seq: 1 }, { seq: 'one', type: 'a.b.c' }]) assert.equal(toActivityItem(bad), null);
});

test('type filters, sources, merging live items', () => {
  assert.ok(matchesType('git-monitor.commit.created', ['git-monitor.*']));
  assert.ok(matchesType('git-monitor.commit.created', []));
  assert.ok(!matchesType('git-monitorx.a.b', ['git-monitor.*']));
  assert.ok(matchesType('a.b.c', ['a.b.c']));
  assert.equal(sourceOf('file-monitor.file.changed'), 'file-monitor');
  const it = (seq: number) => ({ seq, ts: seq, type: 't', project: null, severity: 'info', summary: String(seq) });
  assert.deepEqual(mergeNewest([it(3), it(2)], [it(5), it(3), it(4)], 3).map((i) => i.seq), [5, 4, 3]);
});

test('reconnect backoff doubles to a cap with bounded jitter; stale cards by topic', () => {
  assert.equal(backoffMs(0, 0.5), 500);
  assert.equal(backoffMs(1, 0.5), 1000);
  assert.equal(backoffMs(20, 0.5), 15_000);
  assert.equal(backoffMs(0, 0), 400);
  assert.equal(backoffMs(0, 1), 600);
  assert.equal(backoffMs(-3, 9), 600);
  const topics = [{ id: 'stage', types: ['stage-analyzer.*'] }, { id: 'today', types: ['file-monitor.*', 'git-monitor.*'] }, { id: 'static', types: [] }];
  assert.deepEqual(staleCards('file-monitor.file.changed', topics), ['today']);
  assert.deepEqual(staleCards('stage-analyzer.stage.changed', topics), ['stage']);
  assert.deepEqual(staleCards('reports.report.generated', topics), []);
});

test('routes', () => {
  assert.equal(matchRoute('/')?.id, 'overview');
  assert.equal(matchRoute('/index.html')?.id, 'overview');
  assert.equal(matchRoute('/activity/')?.id, 'activity');
  assert.equal(matchRoute('/ai-clients')?.id, 'ai-clients');
  assert.equal(matchRoute('/nope'), null);
  assert.equal(matchRoute('/trends')?.id, 'metrics');
  // No client route sits on a path the http-api answers itself.
  for (const r of ROUTES) assert.ok(!RESERVED.some((x) => r.path === x || r.path.startsWith(`${x}/`)), r.path);
  assert.equal(pathWith('/tasks', { task: 'A B&C', project: null, x: '' }), '/tasks?task=A+B%26C');
  assert.equal(pathWith('/tasks', {}), '/tasks');
});
