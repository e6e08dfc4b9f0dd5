// ReportData → Markdown. Pure; every piece of data goes through mdText (no raw HTML, no table breaks).
import { fmtDelta, fmtDuration, fmtNum, fmtPct, fmtTime, fmtValue, mdText as t, shortPath } from './format.js';
import type { ReportData } from './report-data.js';
import { bottleneckWhen, doraRows, notableText, projectsLine, span, summaryRows, title } from './sections.js';

const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

const note = (d: ReportData, prefix: string) => d.notes.filter((n) => n.startsWith(prefix)).map((n) => `> ${t(n, 300)}`).join('\n');

export function renderMarkdown(d: ReportData): string {
  const tz = d.timeZone;
  const out: string[] = [];
  out.push(`# ${t(title(d))}`, '', `- Period: ${t(span(d, tz))}`, `- Projects: ${t(projectsLine(d), 2000)}`, `- Generated: ${t(fmtTime(d.generatedAt, tz))}`, '');

  out.push('## Summary', '', table(['metric', 'value'], summaryRows(d).map(([k, v]) => [t(k), t(v, 600)])), '');
  out.push('## DORA', '', table(['metric', 'value'], doraRows(d).map(([k, v]) => [t(k), t(v)])), '');

  out.push('## Activity per day', '');
  out.push(
    table(
      ['day', 'active time', 'commits', 'test runs', 'pass rate'],
      d.days.map((x) => [x.date, fmtDuration(x.activeMs), fmtNum(x.commits), fmtNum(x.testRuns), fmtPct(x.passRate)]),
    ),
    '',
  );

  out.push('## Stages', '');
  if (!d.stages) out.push(note(d, 'stages:'), '');
  else {
    const cur = d.stages.current;
    out.push(cur.length ? cur.map((c) => `- Current stage of ${t(shortPath(c.project))}: **${t(c.stage)}**${c.subStage ? ` / ${t(c.subStage)}` : ''} since ${t(fmtTime(c.since, tz))} (confidence ${fmtPct(c.confidence)})`).join('\n') : '- No current stage detected.', '');
    if (d.stages.durations.length) out.push(table(['stage', 'time', 'share'], d.stages.durations.map((s) => [t(s.stage), fmtDuration(s.ms), fmtPct(s.share)])), '');
    else out.push('No stage time recorded in this period.', '');
  }

  out.push('## Bottlenecks', '');
  if (!d.bottlenecks) out.push(note(d, 'bottlenecks:'), '');
  else {
    const b = d.bottlenecks;
    out.push(`Opened: ${b.opened.length} · resolved: ${b.resolved.length} · open now: ${b.openNow}`, '');
    for (const [head, rows] of [['Opened', b.opened], ['Resolved', b.resolved]] as const) {
      if (!rows.length) continue;
      out.push(`### ${head}`, '', ...rows.map((r) => `- [${r.severity}] ${t(r.title)} (${t(r.rule)}; ${t(bottleneckWhen(r, tz))})`), '');
    }
  }

  out.push('## Hot files and busiest days', '');
  out.push(d.hotFiles.length ? table(['file', 'changes', 'lines'], d.hotFiles.map((f) => [t(f.path, 300), fmtNum(f.changes), fmtNum(f.lines)])) : 'No commits touched files in this period.', '');
  out.push(d.busiestDays.length ? d.busiestDays.map((x) => `- ${x.date}: ${fmtDuration(x.activeMs)} active, ${fmtNum(x.commits)} commits`).join('\n') : '- No active days.', '');

  out.push('## Notable events', '');
  out.push(d.notable.length ? d.notable.map((n) => `- ${t(notableText(n, tz), 400)}`).join('\n') : 'Nothing notable: no failed deploys or long red streaks.', '');

  out.push(`## Compared with the previous period (${t(d.comparison.label)})`, '');
  out.push(
    table(
      ['metric', 'this period', 'previous', 'change'],
      d.comparison.deltas.map((x) => [t(x.label), fmtValue(x.unit, x.current), fmtValue(x.unit, x.previous), `${fmtDelta(x)}${x.good === true ? ' (better)' : x.good === false ? ' (worse)' : ''}`]),
    ),
    '',
  );
  return out.join('\n');
}
