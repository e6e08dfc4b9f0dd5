// The terminal dashboard's pure parts: state → lines at fixed sizes, text fitting, tables, sections.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitSections, list } from '../src/tui/layout.js';
import type { DashboardState, Line, RenderOptions } from '../src/tui/model.js';
import { sampleState as sample } from '../src/tui/sample.js';
import { plainText, renderFrame } from '../src/tui/render.js';
import { cell, displayWidth, fit, sanitize, table } from '../src/tui/text.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const sampleState = () => sample(NOW);

const opts = (o: Partial<RenderOptions> = {}): RenderOptions => ({ view: 'activity', width: 80, height: 24, live: true, intervalMs: 1000, tz: 'utc', ...o });
const texts = (lines: readonly Line[]) => lines.map((l) => l.text);

function assertFits(lines: readonly Line[], width: number, height: number, label: string): void {
  if (height !== Infinity) assert.equal(lines.length, height, `${label}: exactly ${height} rows`);
  for (const l of lines) {
    assert.ok(displayWidth(l.text) <= width, `${label}: "${l.text}" is ${displayWidth(l.text)} > ${width} columns`);
    assert.ok(!/[\u0000-\u001f\u007f]/.test(l.text), `${label}: no control characters in "${l.text}"`);
  }
}

test('every view at every size: exactly the terminal height, no line wider than the terminal', () => {
  const s = sampleState();
  for (const view of ['activity', 'performance', 'errors'] as const) {
    for (const [width, height] of [[80, 24], [120, 40], [40, 12], [200, 60], [20, 5]] as const) {
      const lines = renderFrame(s, opts({ view, width, height }));
      assertFits(lines, width, height, `${view} ${width}x${height}`);
      assert.match(lines[lines.length - 1]?.text ?? '', /^q quit/, `${view} ${width}x${height}: footer on the last row`);
    }
  }
});

test('activity at 80x24: the exact frame', () => {
  const lines = texts(renderFrame(sampleState(), opts()));
  assert.deepEqual(lines.slice(0, 14), [
    'DevFlow 1.0.0 · Activity                                                pid 4242',
    '[1 Activity]  2 Performance   3 Errors (4)                                      ',
    'WHERE THE WORK STANDS',
    '  project   /home/dev/webapp',
    '  branch    feature/PROJ-7-login · task PROJ-7 · on it 2h 10m (active 55m)',
    '  stage     coding › unit-testing · confidence 82% · since 10:48:00 (1h 12m)',
    '  tests     red since 11:20:00 · 3 red runs in a row · failing: login rejects b…',
    '  last run  FAILED npm test · 12 passed, 2 failed · 4s · 11:55:00',
    '  AI today  3 sessions · 92 min active · 41 prompts · tokens 1.2M in, 56k out ·…',
    '  blocked   1 open: tests red for 40m',
    'RECENT ACTIVITY (newest first)',
    '  12:00:00  git-monitor.commit.created  webapp  abc120 fix login 0',
    '  11:59:00  file-monitor.file.changed   webapp  modified src/login-1.ts (+3 -1)',
    '  11:58:00  file-monitor.file.changed   webapp  modified src/login-2.ts (+3 -1)',
  ]);
  // 24 rows: 2 header, 1 + 7 context, 1 title, 11 events and "… 19 more" (30 in all), 1 footer
  assert.equal(lines[22], '  … 19 more');
  assert.equal(lines[23], 'q quit · 1 2 3 / a p e views · r refresh            updated 12:00:00 · every 1 s');
});

test('narrow terminals drop the project column and cut the summary with …', () => {
  const lines = texts(renderFrame(sampleState(), opts({ width: 50, height: 30 })));
  const row = lines.find((l) => l.includes('git-monitor.commit.created')) as string;
  assert.doesNotMatch(row, /webapp/);
  assert.match(row, /^ {2}12:00:00 {2}git-monitor\.commit\.created {2}abc120 fi…$/);
});

test('performance view: rate, queue, database, memory, tool latencies, plugin states', () => {
  const out = plainText(renderFrame(sampleState(), opts({ view: 'performance', width: 100, height: Infinity, live: false })));
  assert.match(out, /rate {6}12\.3 events\/s over 10 s · 740 in the last minute · log at seq 1,234,567/);
  assert.match(out, /queue {5}analyzers behind none · sync outbox 0 unsynced/);
  assert.match(out, /database {2}1,234,000 events · 123\.0 MB · \/home\/dev\/\.local\/share\/devflow\/devflow\.db/);
  assert.match(out, /monitors {2}running in devbox:1234:abcdef \(lease until 12:00:20\)/);
  assert.match(out, /memory {4}rss 90\.0 MB · heap 20\.0 MB of 32\.0 MB · external 3\.0 MB/);
  assert.match(out, /TOOL CALLS \(last 134 in the audit log, since 11:10:00; not this dashboard's\)/);
  assert.match(out, /devflow_events_query +14 +2 +1\.2 +30 +130/);
  assert.match(out, /broken +failed +0\.1\.0 +0 +KRN_ERR_START_FAILED: boom at start/);
  assert.match(out, /^snapshot at 12:00:00 · "devflow dashboard" in a terminal for the live view$/m);
});

test('performance view when nothing is measured yet says why', () => {
  const s = sampleState();
  const idle: DashboardState = { ...s, monitors: { holder: null, expiresAt: null }, performance: { ...s.performance, ratePerSec: null, tools: [], toolWindow: { calls: 0, since: null }, queue: { pending: 3, projectionLag: 900, projectionsBehind: 2, outboxUnsynced: 100_000, outboxCapped: true } } };
  const out = plainText(renderFrame(idle, opts({ view: 'performance', width: 200, height: Infinity, live: false })));
  assert.match(out, /needs two samples \(live view only\)/);
  assert.match(out, /analyzers behind 900 events \(2 projections catching up\) · sync outbox 100,000\+ unsynced · 3 waiting to be written by this process/);
  assert.match(out, /not running \(start DevFlow/);
  assert.match(out, /no tool calls in the audit log yet/);
});

test('errors view: failing plugins, warn/error events with severity, this process log; the tab counts them', () => {
  const lines = renderFrame(sampleState(), opts({ view: 'errors', width: 100, height: Infinity, live: false }));
  const out = plainText(lines);
  assert.match(out, / 1 Activity {3}2 Performance {2}\[3 Errors \(4\)\]/);
  assert.match(out, /PLUGINS NOT RUNNING OR FAILING\n.*plugin.*\n {2}broken +failed/);
  assert.match(out, /WARN AND ERROR EVENTS \(newest first; the latest 50,000 events searched\)\n {2}11:57:00 {2}warn {2}test-monitor\.run\.finished +webapp +FAILED npm test/);
  assert.match(out, / {2}11:30:00 {2}warn {2}file-monitor\.watch\.degraded +- +watch-limit/);
  assert.match(out, /THIS PROCESS LOG \(warnings and errors\)\n {2}11:59:00 error \[broken\] KRN_ERR_START_FAILED: boom at start/);
  assert.equal(lines.find((l) => l.text.includes('broken') && l.text.includes('failed'))?.style, 'error');
});

test('an empty database reads as such, not as an error', () => {
  const s = sampleState();
  const empty: DashboardState = {
    ...s,
    activity: { context: null, lastRun: null, ai: null, notes: ['devflow_context is not available (its plugin is not running)'], recent: [] },
    errors: { plugins: [], projections: [], events: [], scanned: 0, log: [] },
  };
  const out = plainText(renderFrame(empty, opts({ height: Infinity, live: false })));
  assert.match(out, /project {3}\(none yet: no project has activity\)/);
  assert.match(out, /missing {3}devflow_context is not available/);
  assert.match(out, /RECENT ACTIVITY \(newest first\)\n {2}no activity recorded yet/);
  const errors = plainText(renderFrame(empty, opts({ view: 'errors', height: Infinity, live: false })));
  assert.match(errors, /\[3 Errors\]/);
  assert.match(errors, /none: every enabled plugin runs/);
});

test('a plain frame has no escape codes and no height limit; a tiny terminal gets a hint', () => {
  const out = plainText(renderFrame(sampleState(), opts({ height: Infinity, live: false })));
  assert.ok(!out.includes('\x1b'));
  assert.equal(out.split('\n').filter((l) => l.includes('file-monitor.file.changed')).length, 10, 'a plain frame lists the newest 15 events');
  assert.deepEqual(texts(renderFrame(sampleState(), opts({ width: 19, height: 24 }))), ['DevFlow: terminal …']);
  assert.deepEqual(texts(renderFrame(null, opts({ width: 30, height: 6 }))), ['DevFlow · Activity', '[1 Activity]  2 Performance  …', 'reading the database…', '', '', 'q quit · 1 2 3 · r']);
});

test('fit, cell and sanitize count columns, cut with … and make control characters harmless', () => {
  assert.equal(fit('hello world', 8), 'hello w…');
  assert.equal(fit('hello', 5), 'hello');
  assert.equal(fit('hello', 0), '');
  assert.equal(fit('日本語のテキスト', 7), '日本語…');
  assert.equal(displayWidth('日本語'), 6);
  assert.equal(displayWidth('e\u0301'), 1, 'combining marks take no column');
  assert.equal(sanitize('a\x1b[31mred\nb\tc\x07'), 'a [31mred b c ');
  assert.equal(fit('\x1b[2J\x1b[Hboom', 40), ' [2J [Hboom');
  assert.equal(cell('ab', 4), 'ab  ');
  assert.equal(cell('ab', 4, true), '  ab');
  assert.equal(cell('abcdef', 4), 'abc…');
});

test('table: natural widths, droppable columns leave first, the flexible one shrinks', () => {
  const rows = [['name', 'n', 'note'], ['alpha', '1', 'a long note about alpha'], ['beta', '22', 'short']];
  assert.deepEqual(table(rows, [{}, { right: true }, {}], 80), ['name    n  note', 'alpha   1  a long note about alpha', 'beta   22  short']);
  assert.deepEqual(table(rows, [{}, { right: true, drop: 1 }, {}], 24), ['name   note', 'alpha  a long note abou…', 'beta   short']);
  for (const l of table(rows, [{}, { right: true }, { flex: true }], 12)) assert.ok(displayWidth(l) <= 12, l);
});

test('fitSections shrinks the longest list first, keeps titles, and says how many are hidden', () => {
  const items = (n: number, p: string): Line[] => Array.from({ length: n }, (_, i) => ({ text: `${p}${i}` }));
  const sections = [{ title: 'FIXED', lines: items(2, 'f') }, list('A', items(10, 'a'), 'none'), list('B', items(3, 'b'), 'none')];
  assert.deepEqual(texts(fitSections(sections, 10, 40)), ['FIXED', 'f0', 'f1', 'A', 'a0', '  … 9 more', 'B', 'b0', 'b1', 'b2']);
  assert.deepEqual(texts(fitSections(sections, 9, 40)), ['FIXED', 'f0', 'f1', 'A', 'a0', '  … 9 more', 'B', 'b0', '  … 2 more']);
  assert.deepEqual(texts(fitSections(sections, 8, 40)), ['FIXED', 'f0', 'f1', 'A', '  … 10 more', 'B', 'b0', '  … 2 more']);
  assert.equal(fitSections(sections, Infinity, 40).length, 18);
  const cut = texts(fitSections([{ title: 'FIXED', lines: items(8, 'f') }], 4, 40));
  assert.deepEqual(cut, ['FIXED', 'f0', 'f1', '… 6 more lines: make the terminal taller']);
  assert.deepEqual(texts(fitSections([list('E', [], 'nothing here')], 5, 40)), ['E', '  nothing here']);
});
