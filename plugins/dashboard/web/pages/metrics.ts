// Metrics: the summary for today / this week / the last 30 days, charts of active time and commits
// per day (report_generate json `days`), and DORA.
import { callTool } from '../api.js';
import { barChart, lineChart } from '../lib/chart.js';
import { html, trusted } from '../lib/escape.js';
import { axisCount, axisDuration, count, duration, percent, shortPath } from '../lib/format.js';
import { MONITOR_TYPES } from '../lib/live-logic.js';
import { pathWith } from '../lib/routes.js';
import type { Page } from '../page.js';
import type { Dora, MetricsSummary, ReportDay } from '../types.js';
import { facts, render, stat } from '../ui.js';

export const PERIODS = [
  { value: 'today', label: 'Today', weeks: 1, dora: '7d' },
  { value: 'week', label: 'Last 7 days', weeks: 2, dora: '7d' },
  { value: 'month', label: 'Last 30 days', weeks: 5, dora: '30d' },
] as const;

const dayLabel = (d: ReportDay) => {
  const date = new Date(`${d.date}T12:00:00`);
  return Number.isNaN(date.getTime()) ? d.date : `${date.toLocaleDateString('en-US', { weekday: 'short' })} ${date.getDate()}`;
};

export function summaryView(m: MetricsSummary) {
  return html`<div class="stats">
      ${stat(duration(m.activeMs), 'active')}${stat(count(m.commits), 'commits')}
      ${stat(`+${count(m.linesAdded)} −${count(m.linesRemoved)}`, `lines in ${count(m.filesTouched)} files`)}
      ${stat(percent(m.tests?.passRate ?? null), `tests passing (${count(m.tests?.runs ?? 0)} runs)`)}
      ${stat(duration(m.ai?.sessionMs ?? 0), `with AI · ${percent(m.ai?.assistedShare ?? null)} of commits`)}
    </div>
    ${m.byBranch?.length ? html`<h3>Time by branch</h3><ul class="bars">${m.byBranch.map((b) => html`<li><code>${b.name}</code> ${duration(b.ms)}</li>`)}</ul>` : ''}
    ${m.note ? html`<p class="note">${m.note}</p>` : ''}`;
}

export function chartsView(days: readonly ReportDay[]) {
  if (!days.length) return html`<p class="muted">No days in range.</p>`;
  const active = days.map((d) => ({ label: dayLabel(d), value: d.activeMs }));
  const commits = days.map((d) => ({ label: dayLabel(d), value: d.commits }));
  return html`<figure><figcaption>Active time per day</figcaption>${trusted(barChart(active, { title: 'Active time per day', format: axisDuration }))}</figure>
    <figure><figcaption>Commits per day</figcaption>${trusted(lineChart(commits, { title: 'Commits per day', format: axisCount }))}</figure>`;
}

export function doraView(d: Dora) {
  return html`${facts([
    ['Deployment frequency', `${d.deploymentFrequencyPerWeek.toFixed(1)} / week (${count(d.deployments)} deploys)`],
    ['Lead time for changes', `p50 ${duration(d.leadTimeMs.p50)} · p90 ${duration(d.leadTimeMs.p90)}`],
    ['Change failure rate', percent(d.changeFailureRate)],
    ['Time to restore', `p50 ${duration(d.timeToRestoreMs.p50)}`],
  ])}${d.sample ? html`<p class="muted small">from ${d.sample.changes} changes, ${d.sample.failedDeployments} failed deploys, ${d.sample.restores} restores</p>` : ''}${d.note ? html`<p class="note">${d.note}</p>` : ''}`;
}

export const metricsPage: Page = (env) => {
  const period = PERIODS.find((p) => p.value === env.params.get('period')) ?? PERIODS[0];
  const project = env.params.get('project') ?? '';
  const scope = project ? { project } : {};
  render(
    env.root,
    html`<h1>Metrics</h1>
    <form class="filters" aria-label="Choose the period">
      <label>Period <select name="period">${PERIODS.map((p) => html`<option value="${p.value}"${p === period ? ' selected' : ''}>${p.label}</option>`)}</select></label>
      <label>Project <select name="project"><option value="">All projects</option>${project ? html`<option value="${project}" selected>${shortPath(project)}</option>` : ''}</select></label>
    </form><div class="grid"></div>`,
  );
  const form = env.root.querySelector('form') as HTMLFormElement;
  const select = form.elements.namedItem('project') as HTMLSelectElement;
  void env.projects().then((ps) => ps.filter((p) => p !== project).forEach((p) => select.add(new Option(shortPath(p), p))));
  form.addEventListener('change', () => {
    const f = new FormData(form);
    env.navigate(pathWith('/trends', { period: String(f.get('period') ?? ''), project: String(f.get('project') ?? '') }));
  });
  const grid = env.root.querySelector('.grid') as HTMLElement;
  env.card(grid, { id: 'summary', title: `Summary: ${period.label.toLowerCase()}`, topics: MONITOR_TYPES, load: async (s) => summaryView(await callTool('metrics_summary', { period: period.value, ...scope }, s)) });
  env.card(grid, { id: 'dora', title: `DORA (${period.dora})`, topics: ['test-monitor.deploy.*', 'test-monitor.run.*', 'git-monitor.merge.*'], load: async (s) => doraView(await callTool('dora_metrics', { since: period.dora, ...scope }, s)) });
  // Charts refresh on commits only: each report_generate call is itself recorded as an event.
  env.card(grid, {
    id: 'charts',
    title: 'Per day',
    wide: true,
    topics: ['git-monitor.commit.*'],
    load: async (s) => {
      const r = await callTool<{ report?: { days?: ReportDay[] } }>('report_generate', { period: 'week', format: 'json', weeks: period.weeks, ...scope }, s);
      const days = (r.report?.days ?? []).filter((d) => d.t <= Date.now());
      return chartsView(period.value === 'month' ? days.slice(-30) : period.value === 'week' ? days.slice(-7) : days);
    },
  });
};
