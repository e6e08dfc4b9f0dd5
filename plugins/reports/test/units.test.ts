// Unit tests of the pure modules: windows, formatting, charts, comparison, paths, schedule checks.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Cron } from 'croner';
import { XMLValidator } from 'fast-xml-parser';
import { compare, expandPath, previousWindow, windowFor, writeAtomic, barChart, lineChart, checkSchedules } from '../src/index.js';
import type { ScheduleSpec } from '../src/index.js';
import { esc, fmtDelta, fmtDuration, fmtPct, mdText } from '../src/format.js';
import { isoWeek, parseDay } from '../src/period.js';
import type { CronCtor } from '../src/schedules.js';

const utc = { timeZone: 'utc' as const, sprint: { lengthDays: 14, start: '2026-01-05' } };
const d = (s: string) => Date.parse(s);

test('windows: day, ISO week, several weeks, sprint, and the previous one', () => {
  const day = windowFor('day', d('2026-01-21T23:59:00Z'), utc);
  assert.deepEqual([day.from, day.to, day.label], [d('2026-01-21T00:00:00Z'), d('2026-01-22T00:00:00Z'), '2026-01-21']);
  const week = windowFor('week', d('2026-01-25T23:00:00Z'), utc); // a Sunday belongs to the week of Monday the 19th
  assert.deepEqual([week.from, week.to, week.label, week.days.length], [d('2026-01-19T00:00:00Z'), d('2026-01-26T00:00:00Z'), '2026-W04', 7]);
  const prev = previousWindow(week, utc);
  assert.deepEqual([prev.from, prev.to, prev.label], [d('2026-01-12T00:00:00Z'), d('2026-01-19T00:00:00Z'), '2026-W03']);
  const quarter = windowFor('week', d('2026-03-31T10:00:00Z'), { ...utc, weeks: 13 });
  assert.equal(quarter.days.length, 91);
  assert.equal(quarter.label, '2026-W02 – 2026-W14');
  assert.equal(previousWindow(quarter, { ...utc, weeks: 13 }).to, quarter.from);
  const sprint = windowFor('sprint', d('2026-02-03T10:00:00Z'), utc);
  assert.deepEqual([sprint.from, sprint.to, sprint.label, sprint.sprint], [d('2026-02-02T00:00:00Z'), d('2026-02-16T00:00:00Z'), 'Sprint 3', 3]);
  assert.equal(windowFor('sprint', d('2026-01-04T10:00:00Z'), utc).label, 'Sprint 0'); // before sprint 1
  assert.throws(() => windowFor('sprint', 0, { ...utc, sprint: { lengthDays: 14, start: '2026-02-30' } }), /sprint.start "2026-02-30" is not a date/);
  assert.equal(isoWeek(d('2021-01-03T00:00:00Z'), 'utc'), '2020-W53');
  assert.equal(isoWeek(d('2026-12-31T00:00:00Z'), 'utc'), '2026-W53');
  assert.equal(parseDay('2026-13-01', 'utc'), undefined);
});

test('windows in local time have calendar days even across a DST change', () => {
  const w = windowFor('week', new Date(2026, 2, 25, 12).getTime(), { ...utc, timeZone: 'local' });
  assert.equal(w.days.length, 7);
  for (const day of w.days) assert.equal(new Date(day).getHours(), 0);
});

test('formatting: durations, percentages, deltas with arrows, escaping', () => {
  assert.deepEqual([fmtDuration(0), fmtDuration(30_000), fmtDuration(95_000), fmtDuration(45 * 60_000), fmtDuration(3.5 * 3_600_000), fmtDuration(50 * 3_600_000), fmtDuration(null)], ['0m', '30s', '1m 35s', '45m', '3h 30m', '2d 2h', '—']);
  assert.deepEqual([fmtPct(0.742857), fmtPct(1), fmtPct(null)], ['74.3%', '100%', '—']);
  const [active, , , pass] = compare(
    { s: summary(7_200_000, 0.9), d: dora(2) },
    { s: summary(3_600_000, 0.8), d: dora(1) },
  );
  assert.equal(fmtDelta(active!), '↑ +1h 0m');
  assert.equal(active!.good, null);
  assert.equal(fmtDelta(pass!), '↑ +10 pp');
  assert.equal(pass!.good, true);
  assert.equal(esc(`<script>alert("x")</script>&'`), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
  assert.equal(mdText('a|b <i>x</i> `c`\nd'), 'a\\|b &lt;i&gt;x&lt;/i&gt; \\`c\\` d');
});

test('comparison: unknown values give an unknown direction, lower-is-better metrics flip', () => {
  const deltas = compare({ s: summary(0, null), d: dora(0, 0.5) }, { s: summary(0, 0.5), d: dora(0, 0.25) });
  const byKey = Object.fromEntries(deltas.map((x) => [x.key, x]));
  assert.deepEqual([byKey.testPassRate!.direction, byKey.testPassRate!.change], ['unknown', null]);
  assert.deepEqual([byKey.changeFailureRate!.direction, byKey.changeFailureRate!.good], ['up', false]);
  assert.equal(byKey.activeMs!.direction, 'flat');
});

test('charts are well-formed SVG with escaped labels and one mark per point', () => {
  const points = [{ label: '<a>', value: 3 }, { label: 'b&c', value: null }, { label: 'd', value: 1 }, { label: 'e', value: 2 }];
  const bar = barChart(points, { title: 'Bars "<x>"', format: String });
  const line = lineChart(points, { title: 'Line', format: String, max: 4 });
  for (const svg of [bar, line, barChart([], { title: 'empty', format: String })]) assert.equal(XMLValidator.validate(svg), true, svg);
  assert.equal(bar.match(/<rect /g)?.length, 4);
  assert.equal(line.match(/<circle /g)?.length, 3);
  assert.equal(line.match(/<polyline /g)?.length, 1); // the null breaks the line: only c..e is a segment
  assert.ok(bar.includes('&lt;a&gt;') && bar.includes('b&amp;c') && !bar.includes('<a>'));
  assert.match(barChart([], { title: 'empty', format: String }), /no data/);
});

test('paths: placeholders, ~ and relative paths; atomic writes create the directory', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'reports-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const vars = { date: '2026-01-19', period: 'week', name: 'weekly', ext: 'html', project: 'all' };
  assert.equal(expandPath('out/{name}-{period}-{date}.{ext}', vars, dir), join(dir, 'out/weekly-week-2026-01-19.html'));
  assert.equal(expandPath('/abs/{project}.md', vars, dir), '/abs/all.md');
  assert.ok(!expandPath('~/r.md', vars, dir).startsWith('~'));
  assert.throws(() => expandPath('{when}.md', vars, dir), /unknown placeholder \{when\}/);
  const file = join(dir, 'a/b/c/report.md');
  assert.equal(writeAtomic(file, 'héllo'), 6);
  assert.equal(writeAtomic(file, 'again'), 5);
  assert.equal(readFileSync(file, 'utf8'), 'again');
  assert.deepEqual(readdirSync(join(dir, 'a/b/c')), ['report.md']); // no temp files left behind
});

test('schedule checks name the bad schedule and keep the good ones', () => {
  const base = { period: 'week', format: 'html', which: 'previous', deliver: { notify: false } } as const;
  const specs: ScheduleSpec[] = [
    { ...base, name: 'weekly', cron: '0 9 * * 1' },
    { ...base, name: 'broken', cron: '61 * * * *' },
    { ...base, name: 'weekly', cron: '0 10 * * 1' },
    { ...base, name: 'bad-file', cron: '@daily', deliver: { file: 'r-{when}.html', notify: false } },
    { ...base, name: 'seconds', cron: '*/5 * * * * *' },
  ];
  const { ok, problems } = checkSchedules(specs, Cron as unknown as CronCtor, 'Etc/UTC');
  assert.deepEqual(ok.map((s) => s.name), ['weekly', 'seconds']);
  assert.deepEqual(problems.map((p) => p.name), ['broken', 'weekly', 'bad-file']);
  assert.match(problems[0]!.message, /schedule "broken": cron "61 \* \* \* \*" is not valid/);
  assert.match(problems[1]!.message, /same name/);
  assert.match(problems[2]!.message, /unknown placeholder \{when\}/);
});

function summary(activeMs: number, passRate: number | null) {
  return {
    project: null, since: 0, until: 1, activeMs, commits: 0, linesAdded: 0, linesRemoved: 0, filesTouched: 0,
    tests: { runs: 0, passed: 0, failed: 0, passRate, failingStreak: 0, flaky: [], p50Ms: null },
    coverage: { latest: null, delta: null }, builds: { runs: 0, failed: 0, p50Ms: null }, churn: { linesChanged: 0, revertRate: null },
    ai: { assistedCommits: 0, assistedShare: null, sessionMs: 0, tokens: 0, tokensPerCommit: null, reworkShare: null },
  };
}
function dora(deployments: number, changeFailureRate: number | null = null) {
  return { deploymentFrequencyPerWeek: deployments, deployments, leadTimeMs: { p50: null, p90: null }, changeFailureRate, timeToRestoreMs: { p50: null }, sample: { changes: 0, failedDeployments: 0, restores: 0 } };
}

test('hot files: a window is read as raw edges, hour buckets and whole UTC days', async () => {
  const { hotPlan } = await import('../src/store.js');
  const H = 3_600_000;
  // A week on whole UTC days: all day rows.
  const w = hotPlan(d('2026-01-19T00:00:00Z'), d('2026-01-26T00:00:00Z'));
  assert.deepEqual(w.day, [d('2026-01-19T00:00:00Z'), d('2026-01-26T00:00:00Z')]);
  assert.ok(w.raw1[0] >= w.raw1[1] && w.raw2[0] >= w.raw2[1] && w.hourA[0] >= w.hourA[1] && w.hourB[0] >= w.hourB[1]);
  // Local days at +05:30: raw half hours, hours to the UTC day boundaries, days between.
  const from = d('2026-01-18T18:30:00Z');
  const to = d('2026-01-25T18:30:00Z');
  const x = hotPlan(from, to);
  assert.deepEqual([x.raw1, x.hourA, x.day, x.hourB, x.raw2], [
    [from, from + H / 2],
    [from + H / 2, d('2026-01-19T00:00:00Z')],
    [d('2026-01-19T00:00:00Z'), d('2026-01-25T00:00:00Z')],
    [d('2026-01-25T00:00:00Z'), d('2026-01-25T18:00:00Z')],
    [d('2026-01-25T18:00:00Z'), to],
  ]);
  // The ranges tile [from, to) exactly, whatever the window.
  for (const [a, b] of [[from, from + 10 * 60_000], [from, from + 3 * H], [d('2026-01-19T23:10:00Z'), d('2026-01-20T01:20:00Z')], [from, to]] as [number, number][]) {
    const p = hotPlan(a, b);
    const parts = [p.raw1, p.hourA, p.day, p.hourB, p.raw2].filter(([s, e]) => s < e);
    assert.equal(parts[0]![0], a);
    assert.equal(parts.at(-1)![1], b);
    for (let i = 1; i < parts.length; i++) assert.equal(parts[i]![0], parts[i - 1]![1]);
  }
});
