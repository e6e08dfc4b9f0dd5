// The dashboard's collector on a real kernel and SQLite file: the log's end (activity without
// lifecycle events, warn/error events), tool answers and how often they are asked, the audit-log
// latencies without the dashboard's own calls, plugins that failed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { definePlugin, type Principal } from '@devflow/plugin-sdk';
import { createTestKernel, eventSources, replay, type RecordedEvent } from '../src/testing/index.js';
import { Collector, TOOL_MIN_MS, TOOL_REFRESH_MS } from '../src/tui/collect.js';
import { LogRing } from '../src/tui/log-ring.js';

const P = '/home/dev/webapp';

/** Stands in for task-timeline's devflow_context, counting its calls. */
function contextStub() {
  const stub = { calls: 0 };
  const plugin = definePlugin({
    id: 'ctx-stub',
    version: '1.0.0',
    kernel: '^1.0.0',
    permissions: ['tasks:read'],
    start(ctx) {
      ctx.tools.register(
        { name: 'devflow_context', description: 'Stands in for the task context of task-timeline in tests.', permission: 'tasks:read', inputSchema: { type: 'object', properties: {}, additionalProperties: false } },
        () => {
          stub.calls++;
          return { project: P, branch: 'main', task: null, stage: { name: 'coding', subStage: null, since: 1, confidence: 0.5 }, onTask: null, tests: { state: 'green', since: 2, runs: 0, failing: [], lastRunAt: 2 }, bottlenecks: { open: 0, top: [] }, text: '' };
        },
      );
    },
  });
  return { stub, plugin };
}

const broken = definePlugin({ id: 'broken', version: '1.0.0', kernel: '^1.0.0', start: () => { throw new Error('no config file for broken'); } });

const events = (n: number, from = 0): RecordedEvent[] =>
  Array.from({ length: n }, (_, i) => ({ type: 'file-monitor.file.changed', project: P, ts: 1_000_000 + from + i, data: { path: `src/f${from + i}.ts`, kind: 'modified' } }));

test('collector: activity, warnings, tool answers (throttled), audit latencies without its own calls, failed plugins', async (t) => {
  const { stub, plugin } = contextStub();
  const fixture: RecordedEvent[] = [...events(3), { type: 'git-monitor.repo.failed', project: P, ts: 2_000_000, severity: 'error', data: { error: 'fatal: not a git repository' } }];
  const tk = await createTestKernel({ plugins: [plugin, broken, ...eventSources([...fixture, ...events(1)])], t, allowFailures: true });
  await replay(tk, fixture);
  let now = Date.parse('2026-11-22T12:00:00Z');
  const principal: Principal = { ...tk.kernel.localPrincipal, id: `${tk.kernel.localPrincipal.id}:dashboard` };
  const c = new Collector(tk.kernel, { principal, logs: new LogRing(), now: () => now });

  const s = await c.collect(true);
  assert.equal(stub.calls, 1, JSON.stringify(s.activity.notes));
  assert.deepEqual(s.activity.context?.stage, { name: 'coding', subStage: null, since: 1, confidence: 0.5 });
  assert.equal(s.activity.context?.tests?.state, 'green');
  assert.deepEqual(s.activity.notes, ['tests_recent_runs is not available (its plugin is not running)', 'ai_sessions_summary is not available (its plugin is not running)']);
  assert.deepEqual(s.activity.recent.map((e) => e.type), ['git-monitor.repo.failed', 'file-monitor.file.changed', 'file-monitor.file.changed', 'file-monitor.file.changed'], 'newest first, no kernel.* lifecycle events');
  assert.equal(s.activity.recent[1]?.summary, 'modified src/f2.ts');
  assert.deepEqual(s.errors.events.map((e) => [e.severity, e.type, e.summary]), [['error', 'git-monitor.repo.failed', 'fatal: not a git repository']]);
  assert.deepEqual(s.errors.plugins.map((p) => [p.id, p.state]), [['broken', 'failed']]);
  assert.match(s.errors.plugins[0]?.reason ?? '', /^KRN_ERR_START_FAILED: .*no config file for broken/);
  assert.equal(s.performance.ratePerSec, null, 'one sample');
  assert.equal(s.performance.database.events, s.performance.headSeq);
  assert.deepEqual(s.performance.tools, [], "the dashboard's own calls are not in the latencies");

  // another client's call shows up in the latency table
  assert.ok((await tk.callTool('devflow_context')).ok);
  const calls = stub.calls;

  // new events a second later: the log moved, but the analyzers are asked at most every TOOL_MIN_MS
  await replay(tk, events(2, 10));
  now += 1000;
  const s2 = await c.collect(false);
  assert.equal(stub.calls, calls);
  assert.equal(s2.activity.recent[0]?.summary, 'modified src/f11.ts', 'the list follows the log at every refresh');
  assert.equal(s2.performance.ratePerSec, ((s2.performance.headSeq - s.performance.headSeq) * 1000) / 1000);
  assert.deepEqual(s2.performance.tools.map((x) => [x.tool, x.calls, x.errors]), [['devflow_context', 1, 0]]);

  now += TOOL_MIN_MS;
  await c.collect(false);
  assert.equal(stub.calls, calls + 1, 'the log moved and TOOL_MIN_MS passed');
  now += TOOL_MIN_MS;
  await c.collect(false);
  assert.equal(stub.calls, calls + 1, 'nothing new: not asked');
  now += TOOL_REFRESH_MS;
  await c.collect(false);
  assert.equal(stub.calls, calls + 2, 'asked again after TOOL_REFRESH_MS (answers like "today" age)');
  await c.collect(true);
  assert.equal(stub.calls, calls + 3, 'r forces it');
});

test('collector: a log that grew by thousands between refreshes is re-read from its newest end', async (t) => {
  const fixture = events(6000);
  const tk = await createTestKernel({ plugins: eventSources(fixture.slice(0, 1)), t });
  await replay(tk, fixture.slice(0, 10));
  const c = new Collector(tk.kernel, { principal: tk.kernel.localPrincipal, logs: new LogRing() });
  assert.equal((await c.collect(true)).activity.recent.length, 10);
  await replay(tk, fixture.slice(10));
  const s = await c.collect(false);
  assert.equal(s.activity.recent.length, 100, 'the newest 100 kept');
  assert.equal(s.activity.recent[0]?.summary, 'modified src/f5999.ts');
});
