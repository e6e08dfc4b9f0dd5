// What each section says, as plain (unescaped) text rows both renderers share. Pure.
import { fmtDuration, fmtNum, fmtPct, fmtTime, shortPath } from './format.js';
import type { ReportData } from './report-data.js';

/** Section ids, in report order (also the HTML `<section id>`s). */
export const SECTION_IDS = ['header', 'summary', 'dora', 'activity', 'stages', 'bottlenecks', 'hotspots', 'notable', 'comparison'] as const;
export type SectionId = (typeof SECTION_IDS)[number];

export function title(d: ReportData): string {
  const kind = d.period === 'day' ? 'Daily' : d.period === 'week' ? 'Weekly' : 'Sprint';
  return `${kind} report — ${d.label}`;
}

/** `2026-01-19 00:00 UTC → 2026-01-26 00:00 UTC`. */
export function span(d: { from: number; to: number }, tz: ReportData['timeZone']): string {
  return `${fmtTime(d.from, tz)} → ${fmtTime(d.to, tz)}`;
}

export function projectsLine(d: ReportData): string {
  if (d.project !== null) return d.project;
  if (!d.projects.length) return 'all projects';
  return `all projects (${d.projects.join(', ')})`;
}

export function summaryRows(d: ReportData): [string, string][] {
  const s = d.summary;
  return [
    ['Active time', fmtDuration(s.activeMs)],
    ['Commits', fmtNum(s.commits)],
    ['Lines', `+${fmtNum(s.linesAdded)} / -${fmtNum(s.linesRemoved)} in ${fmtNum(s.filesTouched)} files`],
    ['Tests', `${fmtNum(s.tests.runs)} runs, pass rate ${fmtPct(s.tests.passRate)}${s.tests.failingStreak > 0 ? `, failing streak ${s.tests.failingStreak}` : ''}`],
    ['Flaky tests', s.tests.flaky.length ? s.tests.flaky.slice(0, 10).join(', ') : 'none'],
    ['Coverage', s.coverage.latest === null ? '—' : `${fmtPct(s.coverage.latest / (s.coverage.latest > 1 ? 100 : 1))}`],
    ['Builds', `${fmtNum(s.builds.runs)} (${fmtNum(s.builds.failed)} failed), p50 ${fmtDuration(s.builds.p50Ms)}`],
    ['Deploys', fmtNum(d.dora.deployments)],
    ['AI share', `${fmtPct(s.ai.assistedShare)} of commits AI-assisted, ${fmtDuration(s.ai.sessionMs)} in AI sessions, ${fmtNum(s.ai.tokens)} tokens`],
    ['AI rework', fmtPct(s.ai.reworkShare)],
    ['Churn', `${fmtNum(s.churn.linesChanged)} lines, revert rate ${fmtPct(s.churn.revertRate)}`],
  ];
}

export function doraRows(d: ReportData): [string, string][] {
  const x = d.dora;
  return [
    ['Deployment frequency', `${fmtNum(x.deploymentFrequencyPerWeek)} / week (${fmtNum(x.deployments)} deploys)`],
    ['Lead time for changes', `p50 ${fmtDuration(x.leadTimeMs.p50)}, p90 ${fmtDuration(x.leadTimeMs.p90)}`],
    ['Change failure rate', `${fmtPct(x.changeFailureRate)} (${fmtNum(x.sample.failedDeployments)} failed deploys)`],
    ['Time to restore', `p50 ${fmtDuration(x.timeToRestoreMs.p50)} (${fmtNum(x.sample.restores)} restores)`],
  ];
}

/** `opened 2026-01-20 09:00 UTC · resolved after 3h 0m`. */
export function bottleneckWhen(b: { openedAt: number; resolvedAt: number | null }, tz: ReportData['timeZone']): string {
  return b.resolvedAt === null ? `opened ${fmtTime(b.openedAt, tz)}` : `resolved ${fmtTime(b.resolvedAt, tz)} after ${fmtDuration(b.resolvedAt - b.openedAt)}`;
}

export function notableText(n: ReportData['notable'][number], tz: ReportData['timeZone']): string {
  const where = n.project ? ` (${shortPath(n.project, 2)})` : '';
  if (n.kind === 'red-streak') return `${fmtTime(n.ts, tz)}: ${n.title}, red for ${fmtDuration(n.endTs - n.ts)}${where}`;
  if (n.kind === 'still-red') return `${fmtTime(n.ts, tz)}: ${n.title}${where}`;
  return `${fmtTime(n.ts, tz)}: ${n.title}${where}`;
}

/** Short one-paragraph summary (notification bodies, tool answers). */
export function oneLine(d: ReportData): string {
  const s = d.summary;
  return `${title(d)} (${projectsLine(d).slice(0, 120)}): ${fmtDuration(s.activeMs)} active, ${fmtNum(s.commits)} commits, tests ${fmtPct(s.tests.passRate)} passing, ${fmtNum(d.dora.deployments)} deploys, ${d.notable.length} notable events${d.bottlenecks ? `, ${d.bottlenecks.opened.length} bottlenecks opened / ${d.bottlenecks.resolved.length} resolved` : ''}.`;
}
