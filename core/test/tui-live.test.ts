// The terminal dashboard's moving parts without a terminal: keys, the ANSI frame, the live loop
// (refresh, view switches, quitting and restoring the terminal on errors), statistics, formatting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeEvent } from '../src/tui/format.js';
import { LiveDashboard } from '../src/tui/live.js';
import { LogRing } from '../src/tui/log-ring.js';
import type { DashboardState } from '../src/tui/model.js';
import { decodeKeys, ESC, frameAnsi, Screen } from '../src/tui/screen.js';
import { quantile, RateSampler, toolStats } from '../src/tui/stats.js';
import { sampleState as sample } from '../src/tui/sample.js';

const sampleState = () => sample(Date.parse('2026-11-22T12:00:00Z'));

/** A terminal that records what was written and the keyboard mode. */
function fakeTerminal(columns = 80, rows = 24) {
  const out = { written: '', columns, rows, write(s: string) { this.written += s; return true; } };
  const input = { isTTY: true, raw: false, paused: true, setRawMode(on: boolean) { this.raw = on; }, resume() { this.paused = false; }, pause() { this.paused = true; } };
  return { out, input, screen: new Screen(out, input, false) };
}

const tick = () => new Promise((r) => setImmediate(r));
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

test('keys: quit, views by number and letter, refresh, arrows; escape sequences are skipped whole', () => {
  assert.deepEqual(decodeKeys('q'), [{ kind: 'quit' }]);
  assert.deepEqual(decodeKeys('\x03'), [{ kind: 'quit' }]);
  assert.deepEqual(decodeKeys('2e1'), [{ kind: 'view', view: 'performance' }, { kind: 'view', view: 'errors' }, { kind: 'view', view: 'activity' }]);
  assert.deepEqual(decodeKeys('pa3'), [{ kind: 'view', view: 'performance' }, { kind: 'view', view: 'activity' }, { kind: 'view', view: 'errors' }]);
  assert.deepEqual(decodeKeys('r'), [{ kind: 'refresh' }]);
  assert.deepEqual(decodeKeys('\x1b[C\x1b[D\t'), [{ kind: 'next', step: 1 }, { kind: 'next', step: -1 }, { kind: 'next', step: 1 }]);
  // "\x1b[1;2q" ends in q but is one sequence, not a quit; F1 ("\x1bOP") and Alt-e neither
  assert.deepEqual(decodeKeys('\x1b[1;2q\x1bOP\x1be\x1b[A'), []);
  assert.deepEqual(decodeKeys('xyz'), []);
});

test('an ANSI frame is one write: synchronized, each row positioned and cleared, the rest cleared below', () => {
  const s = frameAnsi([{ text: 'one', style: 'error' }, { text: 'two' }], true);
  assert.equal(s, `${ESC.syncStart}\x1b[1;1H\x1b[31mone\x1b[0m\x1b[K\x1b[2;1Htwo\x1b[K\x1b[3;1H\x1b[J${ESC.syncEnd}`);
  assert.ok(!frameAnsi([{ text: 'x', style: 'error' }], false).includes('\x1b[31m'), 'no colours with NO_COLOR');
  assert.ok(!/\x1b\[2J/.test(s), 'no full clear per frame (that is what flickers)');
});

test('Screen: alternate screen and hidden cursor on enter; leave restores once, whatever calls it', () => {
  const { out, input, screen } = fakeTerminal(0, 0);
  assert.deepEqual(screen.size(), { width: 80, height: 24 }, 'a pty reporting 0x0 counts as 80x24');
  screen.enter();
  assert.ok(out.written.startsWith(`${ESC.altScreenOn}${ESC.hideCursor}`));
  assert.equal(input.raw, true);
  screen.leave();
  screen.leave();
  assert.ok(out.written.endsWith(`${ESC.altScreenOff}${ESC.showCursor}`));
  assert.equal(out.written.split(ESC.altScreenOff).length, 2, 'restored exactly once');
  assert.equal(input.raw, false);
  assert.equal(input.paused, true);
});

test('live loop: draws frames, switches views, refreshes on r (forced), quits on q and restores the terminal', async () => {
  const { out, screen } = fakeTerminal();
  const calls: boolean[] = [];
  const dash = new LiveDashboard({ screen, view: 'activity', intervalMs: 60_000, tz: 'utc', collect: async (force) => (calls.push(force), sampleState()) });
  const done = dash.run();
  await until(() => calls.length === 1 && out.written.includes('WHERE THE WORK STANDS'), 'the first frame');
  assert.deepEqual(calls, [true], 'the first refresh asks the analyzers');
  dash.keys('2');
  assert.equal(dash.currentView, 'performance');
  assert.ok(out.written.endsWith(`${ESC.syncEnd}`) && out.written.lastIndexOf('INGEST') > out.written.lastIndexOf('WHERE THE WORK STANDS'), 'redrawn at once');
  dash.keys('r');
  await until(() => calls.length === 2, 'the refresh');
  assert.deepEqual(calls, [true, true]);
  dash.keys('\x1b[C');
  assert.equal(dash.currentView, 'errors');
  dash.keys('q');
  await done;
  assert.ok(out.written.endsWith(`${ESC.reset}${ESC.altScreenOff}${ESC.showCursor}`));
  assert.equal(screen.entered, false);
});

test('live loop: the interval drives refreshes; a failing read is shown and retried, not fatal', async () => {
  const { out, screen } = fakeTerminal();
  let n = 0;
  const dash = new LiveDashboard({
    screen,
    view: 'activity',
    intervalMs: 5,
    tz: 'utc',
    collect: async (force) => {
      n++;
      if (n === 2) throw new Error('SQLITE_BUSY: database is locked');
      assert.equal(force, n === 1);
      return sampleState();
    },
  });
  const done = dash.run();
  await until(() => out.written.includes('could not refresh: SQLITE_BUSY: database is locked'), 'the error line');
  await until(() => n >= 4, 'more refreshes');
  dash.quit();
  await done;
  assert.ok(out.written.endsWith(`${ESC.altScreenOff}${ESC.showCursor}`));
});

test('live loop: an exception while drawing leaves the alternate screen before it propagates', async () => {
  const { out, screen } = fakeTerminal();
  const broken = { ...sampleState(), activity: null } as unknown as DashboardState;
  const dash = new LiveDashboard({ screen, view: 'activity', intervalMs: 1000, collect: async () => broken });
  await assert.rejects(dash.run(), TypeError);
  await tick();
  assert.ok(out.written.endsWith(`${ESC.altScreenOff}${ESC.showCursor}`));
  assert.equal(screen.entered, false);
});

test('ingest rate from the max seq over time; it restarts when the log shrinks or the clock goes back', () => {
  const r = new RateSampler(10_000, 500);
  r.add(0, 100);
  assert.equal(r.rate(), null, 'one sample is no rate');
  r.add(400, 150);
  assert.equal(r.rate(), null, 'too short a span');
  r.add(1000, 200);
  assert.equal(r.rate(), 100);
  for (let t = 2000; t <= 30_000; t += 1000) r.add(t, 200 + (t / 1000 - 1) * 10);
  assert.equal(r.rate(), 10, 'only the last 10 s count');
  assert.ok(r.span() >= 10_000 && r.span() < 11_000);
  r.add(31_000, 5);
  assert.equal(r.rate(), null, 'a restored, smaller log starts over');
});

test('tool latencies per tool from audit rows: calls, errors, nearest-rank p50/p95, max', () => {
  assert.equal(quantile([], 0.5), null);
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2);
  assert.equal(quantile([1, 2, 3, 4], 0.95), 4);
  const rows = [
    ...Array.from({ length: 20 }, (_, i) => ({ target: 'a_tool', outcome: 'ok', durationMs: i + 1 })),
    { target: 'b_tool', outcome: 'error', durationMs: 7 },
    { target: 'b_tool', outcome: 'denied' },
  ];
  assert.deepEqual(toolStats(rows), [
    { tool: 'a_tool', calls: 20, errors: 0, p50: 10, p95: 19, max: 20 },
    { tool: 'b_tool', calls: 2, errors: 2, p50: 7, p95: 7, max: 7 },
  ]);
});

test('event summaries: one short line per known type, a generic one otherwise, odd data tolerated', () => {
  assert.equal(summarizeEvent('file-monitor.file.changed', { path: 'src/a.ts', kind: 'modified', linesAdded: 3, linesRemoved: 1 }), 'modified src/a.ts (+3 -1)');
  assert.equal(summarizeEvent('git-monitor.commit.created', { hash: 'abcdef123456', subject: 'fix login', stats: { added: 5, removed: 2 } }), 'abcdef1 fix login (+5 -2)');
  assert.equal(summarizeEvent('test-monitor.run.finished', { ok: false, command: 'npm test', passed: 12, failed: 2, durationMs: 4100 }), 'FAILED npm test 12 passed, 2 failed in 4s');
  assert.equal(summarizeEvent('stage-analyzer.stage.changed', { from: null, to: 'coding', subStage: 'unit-testing' }), '- -> coding / unit-testing');
  assert.equal(summarizeEvent('bottleneck-detector.bottleneck.opened', { title: 'tests red for 40m', key: 'x' }), 'tests red for 40m');
  assert.equal(summarizeEvent('x.thing.happened', { a: 1, b: 'two', c: { nested: true } }), 'a=1 b=two');
  assert.equal(summarizeEvent('file-monitor.file.changed', null), 'changed ?');
  assert.equal(summarizeEvent('git-monitor.commit.created', { hash: 42, subject: ['not', 'a', 'string'] }), '42');
  assert.equal(summarizeEvent('kernel.plugin.started', { plugin: 'admin', version: '1.0.0' }), 'admin');
});

test('the log ring keeps the newest warnings and errors of this process, skipping info', () => {
  const ring = new LogRing(2);
  ring.write(`${JSON.stringify({ level: 30, time: 1, msg: 'info' })}\n${JSON.stringify({ level: 40, time: 2, msg: 'slow', plugin: 'p' })}\n`);
  ring.write(`${JSON.stringify({ level: 50, time: 3, code: 'KRN_ERR_START_FAILED', msg: 'boom' })}\nnot json\n`);
  assert.deepEqual(ring.list(), [
    { ts: ring.list()[0]?.ts, level: 'error', plugin: null, text: 'not json' },
    { ts: 3, level: 'error', plugin: null, text: 'KRN_ERR_START_FAILED: boom' },
  ]);
});
