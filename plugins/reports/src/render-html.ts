// ReportData → one self-contained HTML page: inline CSS, inline SVG charts, no script, no external
// asset, and a Content-Security-Policy that forbids both. Every piece of data goes through esc(). Pure.
import { esc, fmtDelta, fmtDuration, fmtNum, fmtPct, fmtTime, fmtValue, shortPath } from './format.js';
import type { ReportData } from './report-data.js';
import { bottleneckWhen, doraRows, notableText, projectsLine, span, summaryRows, title } from './sections.js';
import { barChart, lineChart, niceMax } from './svg.js';

const CSS = `body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;color:#222;background:#f6f7f9;margin:0}
main{max-width:980px;margin:0 auto;padding:24px}section{background:#fff;border:1px solid #e3e5e8;border-radius:8px;padding:16px 20px;margin:0 0 16px}
h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:0 0 10px}h3{font-size:14px;margin:12px 0 6px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;vertical-align:top}th{color:#555;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#777}.note{color:#7a5b00;background:#fff8e1;border:1px solid #f3e2a6;border-radius:6px;padding:8px 12px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:12px}.card{flex:1 1 150px;border:1px solid #e3e5e8;border-radius:8px;padding:10px 12px}
.card .v{font-size:20px;font-weight:600}.good{color:#1a7f37}.bad{color:#c62828}.sev-error{color:#c62828}.sev-warn{color:#b26a00}
figure{margin:8px 0 16px}figcaption{color:#555;margin-bottom:4px}svg{max-width:100%;height:auto}code{font-size:12px;word-break:break-all}`;

const tr = (cells: string[], cls: string[] = []) => `<tr>${cells.map((c, i) => `<td${cls[i] ? ` class="${cls[i]}"` : ''}>${c}</td>`).join('')}</tr>`;
const th = (cells: string[]) => `<tr>${cells.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
const table = (head: string[], rows: string[]) => `<table><thead>${th(head)}</thead><tbody>${rows.join('')}</tbody></table>`;
const section = (id: string, h: string, body: string) => `<section id="${id}"><h2>${esc(h)}</h2>${body}</section>`;
const absent = (d: ReportData, id: string) =>
  d.notes.filter((n) => n.startsWith(`${id}:`)).map((n) => `<p class="note" data-absent="${id}">${esc(n)}</p>`).join('');
const deltaCls = (good: boolean | null) => (good === true ? 'good' : good === false ? 'bad' : 'muted');

export function renderHtml(d: ReportData): string {
  const tz = d.timeZone;
  const delta = new Map(d.comparison.deltas.map((x) => [x.key, x]));
  const card = (label: string, value: string, key: string) => {
    const x = delta.get(key);
    return `<div class="card"><div class="muted">${esc(label)}</div><div class="v">${esc(value)}</div>${x ? `<div class="${deltaCls(x.good)}">${esc(fmtDelta(x))}</div>` : ''}</div>`;
  };
  const s = d.summary;
  const parts: string[] = [];

  parts.push(
    `<section id="header"><h1>${esc(title(d))}</h1><p>${esc(span(d, tz))}</p><p>Projects: ${esc(projectsLine(d))}</p><p class="muted">Generated ${esc(fmtTime(d.generatedAt, tz))}</p></section>`,
  );
  parts.push(
    section(
      'summary',
      'Summary',
      `<div class="cards">${card('Active time', fmtDuration(s.activeMs), 'activeMs')}${card('Commits', fmtNum(s.commits), 'commits')}${card('Test pass rate', fmtPct(s.tests.passRate), 'testPassRate')}${card('Deploys', fmtNum(d.dora.deployments), 'deployments')}${card('AI rework', fmtPct(s.ai.reworkShare), 'aiRework')}</div>` +
        table(['metric', 'value'], summaryRows(d).map(([k, v]) => tr([esc(k), esc(v)]))),
    ),
  );
  parts.push(section('dora', 'DORA', table(['metric', 'value'], doraRows(d).map(([k, v]) => tr([esc(k), esc(v)])))));

  const label = (date: string) => date.slice(5);
  // Round hours (or minutes) at the top of the time axis, not 6h 56m.
  const peak = Math.max(0, ...d.days.map((x) => x.activeMs));
  const unit = peak >= 3_600_000 ? 3_600_000 : 60_000;
  const timeMax = niceMax(peak / unit) * unit;
  const fig = (caption: string, svg: string) => `<figure><figcaption>${esc(caption)}</figcaption>${svg}</figure>`;
  parts.push(
    section(
      'activity',
      'Activity',
      fig('Active time per day', barChart(d.days.map((x) => ({ label: label(x.date), value: x.activeMs })), { title: 'Active time per day', format: fmtDuration, max: timeMax })) +
        fig('Test pass rate per day', lineChart(d.days.map((x) => ({ label: label(x.date), value: x.passRate })), { title: 'Test pass rate per day', format: fmtPct, max: 1, color: '#1a7f37' })) +
        fig('Commits per day', barChart(d.days.map((x) => ({ label: label(x.date), value: x.commits })), { title: 'Commits per day', format: fmtNum, color: '#8250df' })),
    ),
  );

  if (!d.stages) parts.push(absent(d, 'stages'));
  else {
    const cur = d.stages.current.length
      ? `<ul>${d.stages.current.map((c) => `<li>Current stage of <code>${esc(shortPath(c.project))}</code>: <strong>${esc(c.stage)}</strong>${c.subStage ? ` / ${esc(c.subStage)}` : ''} since ${esc(fmtTime(c.since, tz))} (confidence ${esc(fmtPct(c.confidence))})</li>`).join('')}</ul>`
      : '<p class="muted">No current stage detected.</p>';
    const rows = d.stages.durations.map((x) => tr([esc(x.stage), esc(fmtDuration(x.ms)), esc(fmtPct(x.share))], ['', 'num', 'num']));
    parts.push(section('stages', 'Stages', cur + (rows.length ? table(['stage', 'time', 'share'], rows) : '<p class="muted">No stage time recorded in this period.</p>')));
  }

  if (!d.bottlenecks) parts.push(absent(d, 'bottlenecks'));
  else {
    const b = d.bottlenecks;
    const list = (h: string, rows: typeof b.opened) =>
      rows.length ? `<h3>${esc(h)}</h3><ul>${rows.map((r) => `<li><span class="sev-${esc(r.severity)}">[${esc(r.severity)}]</span> ${esc(r.title)} <span class="muted">(${esc(r.rule)}; ${esc(bottleneckWhen(r, tz))})</span></li>`).join('')}</ul>` : '';
    parts.push(section('bottlenecks', 'Bottlenecks', `<p>Opened: ${b.opened.length} · resolved: ${b.resolved.length} · open now: ${b.openNow}</p>${list('Opened', b.opened)}${list('Resolved', b.resolved)}`));
  }

  const hot = d.hotFiles.length
    ? table(['file', 'changes', 'lines'], d.hotFiles.map((f) => tr([`<code>${esc(f.path)}</code>`, esc(fmtNum(f.changes)), esc(fmtNum(f.lines))], ['', 'num', 'num'])))
    : '<p class="muted">No commits touched files in this period.</p>';
  const busy = d.busiestDays.length ? `<h3>Busiest days</h3><ul>${d.busiestDays.map((x) => `<li>${esc(x.date)}: ${esc(fmtDuration(x.activeMs))} active, ${esc(fmtNum(x.commits))} commits</li>`).join('')}</ul>` : '';
  parts.push(section('hotspots', 'Hot files and busiest days', hot + busy));

  parts.push(
    section('notable', 'Notable events', d.notable.length ? `<ul>${d.notable.map((n) => `<li class="${n.kind === 'deploy-failed' ? 'bad' : ''}">${esc(notableText(n, tz))}</li>`).join('')}</ul>` : '<p class="muted">Nothing notable: no failed deploys or long red streaks.</p>'),
  );

  parts.push(
    section(
      'comparison',
      `Compared with the previous period (${d.comparison.label})`,
      table(
        ['metric', 'this period', 'previous', 'change'],
        d.comparison.deltas.map((x) => tr([esc(x.label), esc(fmtValue(x.unit, x.current)), esc(fmtValue(x.unit, x.previous)), `<span class="${deltaCls(x.good)}">${esc(fmtDelta(x))}</span>`], ['', 'num', 'num', 'num'])),
      ),
    ),
  );

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"/>
<title>${esc(title(d))}</title><style>${CSS}</style></head>
<body><main>
${parts.join('\n')}
</main></body></html>
`;
}
