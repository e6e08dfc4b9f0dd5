// Reports rendered through the real kernel from a replayed week: HTML sections and SVGs, Markdown
// and JSON shapes, escaping, missing dependencies, and live vs after-the-fact agreement.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { IN_WEEK, PROJECT, WEEK_FROM, WEEK_TO, fixture, reportsKernel, sectionIds, svgs } from './helpers.js';
import { ReportStore } from '../src/store.js';

const week = fixture('week.json');
const H = 3_600_000;

type Json = Record<string, any>;

test('a weekly HTML report has every section, three well-formed SVG charts, and no script', async (t) => {
  const { tk } = await reportsKernel(t, { events: week });
  const r = await tk.callTool('report_generate', { period: 'week', format: 'html', end: IN_WEEK });
  assert.ok(r.ok, JSON.stringify(r));
  const v = r.value as Json;
  assert.equal(v.format, 'html');
  assert.deepEqual([v.from, v.to], ['2026-01-19T00:00:00.000Z', '2026-01-26T00:00:00.000Z']);
  assert.ok(v.file.startsWith(tk.home) && v.file.endsWith('/reports/week-2026-01-19-all.html'), v.file);
  assert.equal(v.bytes, statSync(v.file).size);
  assert.equal(v.markdown, undefined); // the HTML itself is not handed to the assistant
  assert.match(v.summary, /^Weekly report — 2026-W04 .*21h 30m active, 26 commits, tests 74\.3% passing, 3 deploys, 3 notable events, 2 bottlenecks opened \/ 1 resolved\.$/);

  const html = readFileSync(v.file, 'utf8');
  assert.deepEqual(sectionIds(html), ['header', 'summary', 'dora', 'activity', 'stages', 'bottlenecks', 'hotspots', 'notable', 'comparison']);
  assert.equal(XMLValidator.validate(html.replace(/^<!DOCTYPE html>\n/, '')), true, 'the page is well-formed (XHTML-compatible)');
  const charts = svgs(html);
  assert.equal(charts.length, 3);
  for (const svg of charts) assert.equal(XMLValidator.validate(svg), true);
  assert.match(charts[0]!, /aria-label="Active time per day"/);
  assert.equal(charts[0]!.match(/<rect /g)?.length, 7);
  assert.match(charts[1]!, /aria-label="Test pass rate per day"/);
  assert.equal(charts[1]!.match(/<circle /g)?.length, 6); // Saturday had no test runs: no point
  assert.match(charts[2]!, /<title>01-23: 8<\/title>/); // commits on Friday
  assert.doesNotMatch(html, /<script|<link|src=|href=|@import|url\(/i); // self-contained, nothing to fetch or run
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);

  // Section contents, from the stand-ins' canned numbers and the replayed events.
  const section = (id: string) => html.slice(html.indexOf(`<section id="${id}"`), html.indexOf('</section>', html.indexOf(`<section id="${id}"`)));
  assert.match(section('header'), /2026-01-19 00:00 UTC → 2026-01-26 00:00 UTC/);
  assert.match(section('summary'), /<div class="v">21h 30m<\/div><div class="muted">↑ \+11h 30m<\/div>/);
  assert.match(section('summary'), /<div class="v">74\.3%<\/div><div class="bad">↓ -13.9 pp<\/div>/);
  assert.match(section('dora'), /Change failure rate<\/td><td>33\.3% \(1 failed deploys\)/);
  assert.match(section('stages'), /Current stage of <code>\/home\/dev\/webapp<\/code>: <strong>coding<\/strong> \/ unit-testing since 2026-01-20 09:00 UTC \(confidence 82%\)/);
  assert.match(section('stages'), /<td>coding<\/td><td class="num">12h 0m<\/td><td class="num">77\.4%<\/td>/);
  assert.doesNotMatch(section('stages'), />prd</); // zero time is left out
  assert.match(section('bottlenecks'), /Opened: 2 · resolved: 1 · open now: 1/);
  assert.match(section('bottlenecks'), /Tests red for 2 hours <span class="muted">\(red-tests; resolved 2026-01-20 15:00 UTC after 1h 0m\)/);
  assert.match(section('hotspots'), /<code>src\/auth\.ts<\/code><\/td><td class="num">3<\/td><td class="num">49<\/td>/);
  assert.match(section('hotspots'), /2026-01-23: 6h 0m active, 8 commits/);
  assert.match(section('notable'), /2026-01-20 12:00 UTC: tests red for 4 runs, red for 3h 0m/);
  assert.match(section('notable'), /2026-01-21 16:00 UTC: deploy failed: npm run deploy -- --env=&lt;prod&gt; \(exit 1\)/);
  assert.match(section('notable'), /2026-01-25 20:00 UTC: tests still red after 3 runs/);
  assert.match(section('comparison'), /Compared with the previous period \(2026-W03\)/);
  assert.match(section('comparison'), /<td>AI rework<\/td><td class="num">18%<\/td><td class="num">22%<\/td><td class="num"><span class="good">↓ -4 pp<\/span>/);

  const ev = await tk.waitForEvent((e) => e.type === 'reports.report.generated');
  assert.deepEqual(ev.data, { period: 'week', format: 'html', from: WEEK_FROM, to: WEEK_TO, file: v.file, bytes: v.bytes });

  const list = await tk.callTool('reports_list', {});
  assert.ok(list.ok);
  assert.deepEqual((list.value as Json).reports.map((x: Json) => [x.file, x.format, x.period, x.exists, x.schedule]), [[v.file, 'html', 'week', true, null]]);

  // The text an assistant reads: a few lines, not 20 KB of HTML.
  const text = tk.kernel.tools.get('report_generate')?.render?.(v as never) ?? '';
  assert.equal(text, `${v.summary}\nWrote ${v.file} (${Math.ceil(v.bytes / 1024)} KB, self-contained HTML).`);
  const listText = tk.kernel.tools.get('reports_list')?.render?.(list.value as never) ?? '';
  assert.match(listText, /^20\d\d-.* week html .*week-2026-01-19-all\.html \(\d+ B\)$/);
  assert.ok(v.bytes > 10_000 && v.bytes < 100_000, String(v.bytes));
});

test('everything user-controlled is escaped in HTML and Markdown', async (t) => {
  const { tk } = await reportsKernel(t, { events: week });
  const evil = '/tmp/<script>alert(3)</script>';
  const r = await tk.callTool('report_generate', { period: 'week', format: 'html', end: IN_WEEK });
  assert.ok(r.ok);
  const html = readFileSync((r.value as Json).file, 'utf8');
  for (const raw of ['<script>alert(1)</script>', '<script>alert(2)</script>', '<b>x</b>', '<script>token</script>', '<prod>']) assert.ok(!html.includes(raw), raw);
  assert.ok(html.includes('src/&lt;script&gt;alert(1)&lt;/script&gt;.ts')); // a file path
  assert.ok(html.includes('Branch feature/&lt;b&gt;x&lt;/b&gt; open for 12 days &lt;script&gt;alert(2)&lt;/script&gt;')); // a bottleneck title
  assert.ok(html.includes('auth &gt; refresh &lt;script&gt;token&lt;/script&gt;')); // a flaky test name

  const p = await tk.callTool('report_generate', { period: 'week', format: 'html', end: IN_WEEK, project: evil });
  assert.ok(p.ok);
  const html2 = readFileSync((p.value as Json).file, 'utf8');
  assert.ok(!html2.includes('<script>alert(3)'));
  assert.ok(html2.includes('Projects: /tmp/&lt;script&gt;alert(3)&lt;/script&gt;'));
  assert.equal(XMLValidator.validate(html2.replace(/^<!DOCTYPE html>\n/, '')), true);

  const md = await tk.callTool('report_generate', { period: 'week', format: 'markdown', end: IN_WEEK, project: evil });
  assert.ok(md.ok);
  const text = (md.value as Json).markdown as string;
  assert.ok(!/<script|<b>/.test(text), text);
  assert.match(text, /- Projects: \/tmp\/&lt;script&gt;alert\(3\)&lt;\/script&gt;/);
});

test('Markdown and JSON: the same report, shaped for reading and for machines', async (t) => {
  const { tk, api } = await reportsKernel(t, { events: week });
  const md = await tk.callTool('report_generate', { period: 'week', format: 'markdown', end: IN_WEEK, project: PROJECT });
  assert.ok(md.ok, JSON.stringify(md));
  const text = (md.value as Json).markdown as string;
  assert.equal((md.value as Json).truncated, false);
  assert.deepEqual(
    text.split('\n').filter((l) => l.startsWith('#')),
    ['# Weekly report — 2026-W04', '## Summary', '## DORA', '## Activity per day', '## Stages', '## Bottlenecks', '### Opened', '### Resolved', '## Hot files and busiest days', '## Notable events', '## Compared with the previous period (2026-W03)'],
  );
  assert.match(text, /\| Active time \| 21h 30m \|/);
  assert.match(text, /\| 2026-01-21 \| 2h 30m \| 2 \| 4 \| 0% \|/);
  assert.match(text, /\| src\/&lt;script&gt;alert\(1\)&lt;\/script&gt;\.ts \| 1 \| 3 \|/);
  assert.match(text, /\| Test pass rate \| 74\.3% \| 88\.2% \| ↓ -13.9 pp \(worse\) \|/);
  assert.match(text, /\| Deploys \| 3 \| 2 \| ↑ \+1 \(better\) \|/);

  const js = await tk.callTool('report_generate', { period: 'week', format: 'json', end: IN_WEEK, project: PROJECT });
  assert.ok(js.ok);
  const rep = (js.value as Json).report as Json;
  assert.deepEqual(Object.keys(rep), ['schema', 'period', 'label', 'sprint', 'from', 'to', 'timeZone', 'generatedAt', 'project', 'projects', 'summary', 'dora', 'days', 'stages', 'bottlenecks', 'hotFiles', 'busiestDays', 'notable', 'comparison', 'notes']);
  assert.deepEqual([rep.schema, rep.period, rep.label, rep.from, rep.to, rep.project], ['devflow.report/1', 'week', '2026-W04', WEEK_FROM, WEEK_TO, PROJECT]);
  assert.deepEqual(rep.days.map((d: Json) => d.date), ['2026-01-19', '2026-01-20', '2026-01-21', '2026-01-22', '2026-01-23', '2026-01-24', '2026-01-25']);
  assert.deepEqual(rep.days[1], { date: '2026-01-20', t: Date.UTC(2026, 0, 20), activeMs: 5 * H, commits: 6, testRuns: 8, testFailures: 3, passRate: 5 / 8 });
  assert.deepEqual(rep.hotFiles, [
    { project: PROJECT, path: 'src/auth.ts', changes: 3, lines: 49 },
    { project: PROJECT, path: 'src/api.ts', changes: 2, lines: 10 },
    { project: PROJECT, path: 'src/<script>alert(1)</script>.ts', changes: 1, lines: 3 },
  ]);
  assert.deepEqual(rep.notable.map((n: Json) => [n.kind, new Date(n.ts).toISOString(), n.runs]), [
    ['red-streak', '2026-01-20T12:00:00.000Z', 4],
    ['deploy-failed', '2026-01-21T16:00:00.000Z', 1],
    ['still-red', '2026-01-25T20:00:00.000Z', 3],
  ]);
  assert.deepEqual(rep.bottlenecks.opened.map((b: Json) => b.key), ['red-tests:webapp', 'long-lived-branch:feature/<b>x</b>']);
  assert.deepEqual(rep.bottlenecks.resolved.map((b: Json) => [b.key, b.resolvedAt - b.openedAt]), [['red-tests:webapp', H]]);
  assert.deepEqual(rep.busiestDays, [
    { date: '2026-01-23', activeMs: 6 * H, commits: 8 },
    { date: '2026-01-20', activeMs: 5 * H, commits: 6 },
    { date: '2026-01-22', activeMs: 4 * H, commits: 5 },
  ]);
  assert.deepEqual(rep.stages.durations.map((s: Json) => s.stage), ['coding', 'deployment', 'planning']);
  assert.deepEqual(rep.notes, []);
  const deltas = Object.fromEntries(rep.comparison.deltas.map((x: Json) => [x.key, [x.current, x.previous, x.direction, x.good]]));
  assert.deepEqual(deltas.commits, [26, 14, 'up', null]);
  assert.deepEqual(deltas.leadTimeP50, [5 * H, 5 * H, 'flat', null]);

  // The plugin API (what the CLI uses): the same content, with its window and MIME type.
  const g = api.generate({ period: 'week', format: 'json', end: Date.parse(IN_WEEK), project: PROJECT });
  assert.deepEqual([g.from, g.to, g.mime], [WEEK_FROM, WEEK_TO, 'application/json']);
  const { generatedAt: _a, ...viaApi } = JSON.parse(g.content) as Json;
  const { generatedAt: _b, ...viaTool } = rep;
  assert.deepEqual(viaApi, viaTool);
  const m = api.generate({ period: 'day', format: 'markdown', end: Date.parse(IN_WEEK) });
  assert.equal(m.mime, 'text/markdown; charset=utf-8');
  assert.match(m.content, /^# Daily report — 2026-01-21\n/);
  const out = `${tk.home}/cli/out/report.html`;
  const saved = api.save({ period: 'sprint', format: 'html', end: Date.parse(IN_WEEK) }, out);
  assert.deepEqual([saved.file, saved.from, saved.to], [out, Date.UTC(2026, 0, 19), Date.UTC(2026, 1, 2)]);
  assert.match(readFileSync(out, 'utf8'), /<h1>Sprint report — Sprint 2<\/h1>/);
});

test('sections of a missing optional dependency are replaced by a one-line note', async (t) => {
  const { tk } = await reportsKernel(t, { events: week, optional: [] });
  const r = await tk.callTool('report_generate', { period: 'week', format: 'html', end: IN_WEEK });
  assert.ok(r.ok, JSON.stringify(r));
  const html = readFileSync((r.value as Json).file, 'utf8');
  assert.deepEqual(sectionIds(html), ['header', 'summary', 'dora', 'activity', 'hotspots', 'notable', 'comparison']);
  assert.match(html, /<p class="note" data-absent="stages">stages: stage-analyzer is not enabled<\/p>/);
  assert.match(html, /<p class="note" data-absent="bottlenecks">bottlenecks: bottleneck-detector is not enabled<\/p>/);
  const md = await tk.callTool('report_generate', { period: 'week', format: 'markdown', end: IN_WEEK });
  assert.ok(md.ok);
  assert.match((md.value as Json).markdown, /## Stages\n\n> stages: stage-analyzer is not enabled\n/);
  const js = await tk.callTool('report_generate', { period: 'week', format: 'json', end: IN_WEEK });
  assert.ok(js.ok);
  const rep = (js.value as Json).report;
  assert.deepEqual([rep.stages, rep.bottlenecks, rep.notes], [null, null, ['stages: stage-analyzer is not enabled', 'bottlenecks: bottleneck-detector is not enabled']]);
});

test('metrics is required: without it reports does not start, and says why', async (t) => {
  const { tk } = await reportsKernel(t, { withMetrics: false, allowFailures: true });
  const p = tk.report.problems.find((x) => x.plugin === 'reports');
  assert.equal(p?.code, 'KRN_ERR_DEPENDENCY_MISSING');
});

test('live and after-the-fact agree: a rebuild from the log gives the same report', async (t) => {
  const { tk, api } = await reportsKernel(t, { events: week });
  const strip = (c: string) => {
    const { generatedAt: _g, ...rest } = JSON.parse(c) as Json;
    return rest;
  };
  const q = { period: 'week', format: 'json', end: Date.parse(IN_WEEK) };
  const live = strip(api.generate(q).content);
  await api.rebuild();
  assert.deepEqual(strip(api.generate(q).content), live);
  assert.equal(live.hotFiles.length, 3);
  assert.equal(live.notable.length, 3);
  void tk;
});

test('bad input: an empty project, odd arguments, events from the future', async (t) => {
  const { tk } = await reportsKernel(t, { events: week });
  const empty = await tk.callTool('report_generate', { period: 'day', format: 'json', end: '2026-03-01', project: '/nowhere' });
  assert.ok(empty.ok, JSON.stringify(empty));
  const rep = (empty.value as Json).report;
  assert.deepEqual([rep.hotFiles, rep.notable, rep.bottlenecks.opened, rep.summary.commits, rep.days.length], [[], [], [], 0, 1]);
  const md = await tk.callTool('report_generate', { period: 'day', format: 'markdown', end: '2026-03-01', project: '/nowhere' });
  assert.ok(md.ok);
  assert.match((md.value as Json).markdown, /No commits touched files in this period\.[\s\S]*Nothing notable/);

  const future = await tk.callTool('report_generate', { period: 'day', format: 'json', end: '2027-06-01' });
  assert.ok(future.ok);
  assert.deepEqual((future.value as Json).report.hotFiles.map((f: Json) => f.path), ['src/future.ts']);

  const badEnd = await tk.callTool('report_generate', { period: 'week', end: 'last tuesday' });
  assert.ok(!badEnd.ok);
  assert.match(badEnd.error.message, /end "last tuesday" is not an ISO date/);
  const badWeeks = await tk.callTool('report_generate', { period: 'week', weeks: 27 });
  assert.equal(badWeeks.ok ? '' : badWeeks.error.code, 'KRN_ERR_TOOL_INPUT');
  const badPeriod = await tk.callTool('report_generate', { period: 'month' });
  assert.equal(badPeriod.ok ? '' : badPeriod.error.code, 'KRN_ERR_TOOL_INPUT');
  assert.ok(!tk.logs.some((l) => l.level >= 50), JSON.stringify(tk.logs.filter((l) => l.level >= 50)));
  assert.ok(existsSync(tk.home));
});

test('a 13-week report covers 91 days and compares with the 13 weeks before', async (t) => {
  const { tk } = await reportsKernel(t, { events: week });
  const r = await tk.callTool('report_generate', { period: 'week', weeks: 13, format: 'json', end: IN_WEEK });
  assert.ok(r.ok);
  const rep = (r.value as Json).report;
  assert.deepEqual([rep.label, rep.days.length, rep.to - rep.from, rep.comparison.to], ['2025-W44 – 2026-W04', 91, 91 * 86_400_000, rep.from]);
  assert.equal(rep.summary.commits, 40); // both canned weeks
  assert.deepEqual(rep.hotFiles.map((f: Json) => f.path), ['src/auth.ts', 'src/api.ts', 'src/old.ts', 'src/<script>alert(1)</script>.ts']);
});

test('hot files from the hour and day rollups equal a count of the raw rows, for windows cut anywhere', async (t) => {
  // 60 commits over three days at odd minutes, two projects, a few paths each.
  const base = Date.UTC(2026, 0, 19, 0, 7);
  const other = '/home/dev/other';
  const events = Array.from({ length: 60 }, (_, i) => ({
    type: 'git-monitor.commit.created',
    source: 'git-monitor',
    project: i % 4 === 3 ? other : PROJECT,
    ts: base + i * 71 * 60_000 + (i % 7) * 13_000,
    data: { hash: `h${i}`, files: [{ path: `src/f${i % 5}.ts`, added: i % 9, removed: 1 }, ...(i % 3 ? [{ path: `src/g${i % 2}.ts`, added: 2, removed: 0 }] : [])] },
  }));
  const { tk } = await reportsKernel(t, { events, config: { maxItems: 50 } });
  const store = new ReportStore(tk.kernel.db as unknown as ConstructorParameters<typeof ReportStore>[0]);
  const naive = (project: string | null, from: number, to: number) => {
    const m = new Map<string, { project: string | null; path: string; changes: number; lines: number }>();
    for (const e of events) {
      if (e.ts < from || e.ts >= to || (project !== null && e.project !== project)) continue;
      for (const f of e.data.files) {
        const k = `${e.project}|${f.path}`;
        const r = m.get(k) ?? { project: e.project, path: f.path, changes: 0, lines: 0 };
        r.changes++;
        r.lines += f.added + f.removed;
        m.set(k, r);
      }
    }
    return [...m.values()].sort((a, b) => b.changes - a.changes || b.lines - a.lines || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).slice(0, 50);
  };
  const H = 3_600_000;
  const windows: [number, number][] = [
    [Date.UTC(2026, 0, 19), Date.UTC(2026, 0, 22)],
    [Date.UTC(2026, 0, 18, 18, 30), Date.UTC(2026, 0, 21, 18, 30)], // +05:30 days
    [base + 5 * 60_000, base + 30 * H + 17 * 60_000],
    [base + 2 * H, base + 2 * H + 40 * 60_000],
    [Date.UTC(2026, 0, 20, 23), Date.UTC(2026, 0, 21, 2)],
  ];
  for (const [from, to] of windows) {
    for (const project of [null, PROJECT, other]) {
      const got = store.hotFiles(project, from, to, 50);
      const want = naive(project, from, to);
      // Ties on (changes, lines, path) across projects may come in either project order: compare as sets per rank group.
      const key = (r: { project: string | null; path: string; changes: number; lines: number }) => `${r.changes}|${r.lines}|${r.path}|${r.project}`;
      assert.deepEqual(got.map(key).sort(), want.map(key).sort(), `window ${new Date(from).toISOString()} – ${new Date(to).toISOString()}, ${project}`);
      assert.deepEqual(got.map((r) => r.changes), want.map((r) => r.changes));
    }
  }
});
