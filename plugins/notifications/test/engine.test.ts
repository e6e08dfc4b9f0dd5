import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engineHarness } from './harness.js';

const MIN = 60_000;
const T0 = Date.parse('2026-01-12T10:00:00Z');
const deployRule = { name: 'deploy-failed', on: 'test-monitor.deploy.finished', when: 'data.ok == false', severity: 'error' as const, title: 'Deploy failed in {projectName}', body: 'exit {data.exitCode}', cooldownMinutes: 10 };

test('dedup: the same key within the cooldown is suppressed and counted; after it, sent again', async (t) => {
  const h = await engineHarness(t, { rules: [deployRule], start: T0 });
  const fail = () => h.event('test-monitor.deploy.finished', { ok: false, exitCode: 2 });
  await h.engine.handle([fail()]);
  h.advance(5 * MIN);
  await h.engine.handle([fail(), h.event('test-monitor.deploy.finished', { ok: true, exitCode: 0 })]);
  assert.deepEqual(h.sent, [{ channel: 'log', title: 'Deploy failed in app', kind: 'alert', severity: 'error' }]);
  h.advance(6 * MIN);
  await h.engine.handle([fail()]);
  assert.equal(h.sent.length, 2, 'cooldown over');
  const st = h.store.states().find((s) => s.rule === 'deploy-failed')!;
  assert.equal(st.fired, 2);
  assert.equal(st.suppressed, 1);
  assert.match(st.last_reason!, /^duplicate: key "deploy-failed\|\/p\/app" was notified at 2026-01-12T10:00:00.000Z, within the 10-minute cooldown$/);
  const log = h.store.recent(0, null, null, 10).map((r) => r.outcome);
  assert.deepEqual(log, ['delivered', 'deduplicated', 'delivered']);
});

test('rate limit: per channel token bucket; the rest are counted and summarized later as "N more"', async (t) => {
  const h = await engineHarness(t, { rules: [{ ...deployRule, dedupKey: '{data.runId}', channels: ['log', 'chat'] }], channels: { chat: { type: 'memory', ratePerHour: 2 } }, start: T0 });
  for (let i = 0; i < 5; i++) await h.engine.handle([h.event('test-monitor.deploy.finished', { ok: false, runId: `r${i}` })]);
  assert.equal(h.sent.filter((s) => s.channel === 'chat').length, 2);
  assert.equal(h.sent.filter((s) => s.channel === 'log').length, 5, 'the log channel has its own bucket (30/h)');
  const partial = h.store.recent(0, null, 'partial', 10);
  assert.equal(partial.length, 3);
  assert.match(partial[0]!.detail, /"channel":"chat","status":"rate-limited"/);
  assert.deepEqual(await h.dispatcher.flush(), { digests: 0, summaries: 0 }, 'no token yet');
  h.advance(30 * MIN); // one token back
  assert.deepEqual(await h.dispatcher.flush(), { digests: 0, summaries: 1 });
  assert.deepEqual(h.sent.at(-1), { channel: 'chat', title: '3 more notifications held back by the rate limit', kind: 'summary', severity: 'info' });
  assert.deepEqual(await h.dispatcher.flush(), { digests: 0, summaries: 0 }, 'summarized once');
});

test('quiet hours: non-errors held and delivered as one digest after the window; errors pass; drop mode drops', async (t) => {
  const quiet = { start: '22:00', end: '07:00', timezone: 'UTC' };
  const h = await engineHarness(t, {
    rules: [
      { name: 'warn-rule', on: 'a.thing.happened', severity: 'warn', title: 'warn {data.n}', dedupKey: '{data.n}', channels: ['night', 'mute'] },
      { name: 'error-rule', on: 'a.thing.broke', severity: 'error', title: 'broke', channels: ['night'] },
    ],
    channels: { night: { type: 'memory', quietHours: quiet }, mute: { type: 'memory', quietHours: { ...quiet, mode: 'drop' } } },
    start: Date.parse('2026-01-12T23:00:00Z'),
  });
  await h.engine.handle([h.event('a.thing.happened', { n: 1 }), h.event('a.thing.happened', { n: 2 }), h.event('a.thing.broke', {})]);
  assert.deepEqual(h.sent, [{ channel: 'night', title: 'broke', kind: 'alert', severity: 'error' }]);
  assert.equal(h.store.heldCount('night'), 2);
  assert.equal(h.store.heldCount('mute'), 0, 'dropped, not held');
  assert.deepEqual(h.store.recent(0, 'warn-rule', null, 5).map((r) => r.outcome), ['held', 'held']);
  h.set(Date.parse('2026-01-13T06:59:00Z'));
  assert.deepEqual(await h.dispatcher.flush(), { digests: 0, summaries: 0 }, 'still quiet');
  h.set(Date.parse('2026-01-13T07:01:00Z'));
  assert.deepEqual(await h.dispatcher.flush(), { digests: 1, summaries: 0 });
  assert.deepEqual(h.sent.at(-1), { channel: 'night', title: '2 notifications during quiet hours', kind: 'digest', severity: 'warn', items: 2 });
  assert.equal(h.store.heldCount('night'), 0);
});

test('hold: tests red must hold 30 minutes (events and schedule); a green run clears it; fires once per stretch', async (t) => {
  const h = await engineHarness(t, {
    rules: [{ name: 'tests-red', on: 'test-monitor.run.finished', filter: 'data.kind == "test"', when: 'data.ok == false', holdMinutes: 30, title: 'Tests red in {projectName}', cooldownMinutes: 0 }],
    start: T0,
  });
  const run = (ok: boolean, kind = 'test') => h.event('test-monitor.run.finished', { ok, kind });
  await h.engine.handle([run(false)]);
  h.advance(20 * MIN);
  await h.engine.handle([run(false), run(true, 'build')]); // a build does not clear a test hold
  await h.engine.tick();
  assert.equal(h.sent.length, 0, '20 min: not yet');
  h.advance(10 * MIN);
  await h.engine.tick();
  assert.deepEqual(h.sent.map((s) => s.title), ['Tests red in app'], 'fired by the schedule at 30 min');
  h.advance(5 * MIN);
  await h.engine.handle([run(false)]);
  await h.engine.tick();
  assert.equal(h.sent.length, 1, 'once per red stretch');
  await h.engine.handle([run(true)]);
  await h.engine.handle([run(false)]);
  h.advance(29 * MIN);
  await h.engine.tick();
  assert.equal(h.sent.length, 1, 'green cleared it; the new stretch is only 29 min old');
  h.advance(1 * MIN);
  await h.engine.handle([run(false)]);
  assert.equal(h.sent.length, 2, 'fired by an event at 30 min');
});

test('schedule rules over metrics: metric() asks the metrics API per project; without metrics, an evaluation error is counted', async (t) => {
  const asked: unknown[] = [];
  const metrics = { value: (m: string, q: { project?: string | null; windowMs: number; now?: number }) => (asked.push([m, q.project, q.windowMs, q.now]), q.project === '/p/app' ? 7 : 1) };
  const rule = { name: 'failing-a-lot', on: 'schedule', when: 'metric("testFailures", "1h") > 5', title: '{projectName}: many failures' };
  const h = await engineHarness(t, { rules: [rule], metrics, projects: ['/p/app', '/p/lib'], start: T0 });
  await h.engine.tick();
  assert.deepEqual(h.sent.map((s) => s.title), ['app: many failures']);
  assert.deepEqual(asked, [['testFailures', '/p/app', 3_600_000, T0], ['testFailures', '/p/lib', 3_600_000, T0]]);
  await h.engine.tick();
  assert.equal(h.sent.length, 1, 'fires once while it holds');

  const h2 = await engineHarness(t, { rules: [rule], start: T0 });
  await h2.engine.tick();
  await h2.engine.tick();
  assert.equal(h2.sent.length, 0);
  const st = h2.store.states().find((s) => s.rule === 'failing-a-lot')!;
  assert.equal(st.eval_errors, 2);
  assert.equal(st.last_error, 'when: metric() needs the metrics plugin, which is not running');
  assert.equal(h2.warnings.filter((w) => w.obj.code === 'NOTIFY_ERR_RULE_EVAL').length, 1, 'logged once');
});

test('channels: desktop unavailable and an unknown channel are reported per channel; the others deliver', async (t) => {
  const h = await engineHarness(t, { rules: [{ ...deployRule, channels: ['log', 'desktop'] }], channels: { desktop: { type: 'desktop' } }, env: { platform: 'linux', env: { PATH: '/usr/bin' } }, start: T0 });
  await h.engine.handle([h.event('test-monitor.deploy.finished', { ok: false })]);
  const r = await h.dispatcher.notify({ title: 'x', severity: 'warn', channels: ['desktop', 'nowhere'], key: 'x' });
  assert.equal(r.outcome, 'failed');
  assert.deepEqual(r.results.map((x) => x.status), ['unavailable', 'unknown']);
  assert.match(r.suppressed!, /desktop: unavailable \(desktop notifications unavailable: notify-send is not installed/);
  const row = h.store.recent(0, 'deploy-failed', null, 1)[0]!;
  assert.equal(row.outcome, 'partial');
  assert.equal(row.delivered, 'log');
  assert.equal(h.warnings.filter((w) => w.obj.code === 'NOTIFY_ERR_CHANNEL_UNAVAILABLE').length, 1);
});

test('bad input: odd fields, null project, stale and future events never throw; stale ones never alert', async (t) => {
  const h = await engineHarness(t, { rules: [{ ...deployRule, dedupKey: '{data.runId}' }], start: T0 });
  const odd = [
    { ...h.event('test-monitor.deploy.finished', { ok: 'false' }) },
    { ...h.event('test-monitor.deploy.finished', { ok: false, runId: 'old' }), ts: T0 - 2 * 3_600_000 },
    { ...h.event('test-monitor.deploy.finished', { ok: false, runId: 'future', exitCode: { weird: [1] } }, null), ts: T0 + 86_400_000 },
    { ...h.event('test-monitor.deploy.finished', null as unknown as Record<string, unknown>) },
  ];
  await h.engine.handle(odd);
  assert.deepEqual(h.sent.map((s) => s.title), ['Deploy failed in']);
  assert.equal(h.store.recent(0, null, null, 5)[0]!.project, null);
});
