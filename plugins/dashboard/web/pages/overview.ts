// Overview: the current stage with its evidence, today's numbers, open bottlenecks, the task
// context card, and the latest activity (live).
import { ActivityList } from '../activity-list.js';
import { callTool } from '../api.js';
import { toActivityItem } from '../lib/events.js';
import { html } from '../lib/escape.js';
import { count, dateTime, duration, label, percent, relative } from '../lib/format.js';
import { MONITOR_TYPES } from '../lib/live-logic.js';
import type { Page } from '../page.js';
import type { Context, Finding, MetricsSummary, StageCurrent } from '../types.js';
import { facts, render, stat } from '../ui.js';

export function stageView(s: StageCurrent, now = Date.now()) {
  const leading = (s.leading ?? []).map((l) => html`<li>${label(l.stage)} <span class="muted">${percent(l.share)}</span></li>`);
  const evidence = (s.evidence ?? []).map((e) => html`<li><span class="tag">${e.rule ?? ''}</span> ${e.detail ?? ''} <span class="muted">${e.eventType ?? ''}</span></li>`);
  return html`${s.stage
      ? html`<p class="big" data-stage="${s.stage}">${label(s.stage)}${s.subStage ? html` <span class="sub">· ${label(s.subStage)}</span>` : ''}</p>
        <p class="muted">since ${relative(s.since, now)} · confidence ${percent(s.confidence)}${s.project ? html` · <span title="${s.project}">${s.project}</span>` : ''}</p>`
      : html`<p class="big muted">No stage yet</p>`}
    ${s.note ? html`<p class="note">${s.note}</p>` : ''}
    ${evidence.length ? html`<h3>Evidence</h3><ul class="evidence">${evidence}</ul>` : ''}
    ${leading.length ? html`<h3>Leading now</h3><ul class="inline">${leading}</ul>` : ''}`;
}

export function todayView(m: MetricsSummary) {
  const t = m.tests ?? { runs: 0, passed: 0, failed: 0, passRate: null };
  const ai = m.ai ?? { sessionMs: 0, tokens: 0, assistedShare: null };
  return html`<div class="stats">
      ${stat(duration(m.activeMs), 'active today', 'active')}
      ${stat(count(m.commits), 'commits', 'commits')}
      ${stat(t.runs ? `${percent(t.passRate)}` : '—', `tests: ${count(t.runs)} runs, ${count(t.failed)} failed`, 'tests')}
      ${stat(duration(ai.sessionMs), `AI sessions · ${count(ai.tokens, true)} tokens · ${percent(ai.assistedShare)} of commits`, 'ai')}
    </div>
    <p class="muted">+${count(m.linesAdded)} −${count(m.linesRemoved)} lines in ${count(m.filesTouched)} files${m.note ? html` · ${m.note}` : ''}</p>`;
}

export function bottlenecksView(r: { findings?: Finding[]; openTotal?: number; note?: string | null }) {
  const f = r.findings ?? [];
  if (!f.length) return html`<p class="muted">${r.note ?? 'No open bottlenecks.'}</p>`;
  return html`<ul class="findings">${f.map(
    (b) => html`<li class="sev-${b.severity}"><strong>${b.title}</strong> <span class="tag">${b.severity}</span>
      ${b.suggestion ? html`<p class="muted">${b.suggestion}</p>` : ''}</li>`,
  )}</ul>${(r.openTotal ?? f.length) > f.length ? html`<p class="muted">${r.openTotal} open in all</p>` : ''}`;
}

export function contextView(c: Context, now = Date.now()) {
  const tests = c.tests;
  return html`${facts([
    ['Project', c.project ?? '—'],
    ['Branch', c.branch ?? 'detached / none'],
    ['Task', c.task ?? '—'],
    ['Stage', c.stage ? `${label(c.stage.name)}${c.stage.subStage ? ` · ${label(c.stage.subStage)}` : ''}` : '—'],
    ['On task', c.onTask ? `${duration(c.onTask.forMs)} (active ${duration(c.onTask.activeMs)})` : '—'],
    ['Tests', tests ? `${tests.state}${tests.lastRunAt ? `, last run ${relative(tests.lastRunAt, now)}` : ''}` : '—'],
    ['Hot files', (c.hotFiles ?? []).map((h) => `${h.path} (${h.edits})`).join(', ') || '—'],
    ['Bottlenecks', c.bottlenecks ? `${c.bottlenecks.open} open${c.bottlenecks.top.length ? `: ${c.bottlenecks.top.join('; ')}` : ''}` : '—'],
  ])}${c.note ? html`<p class="note">${c.note}</p>` : ''}<p class="muted small">as of ${dateTime(now, now)}</p>`;
}

export const overviewPage: Page = (env) => {
  render(env.root, html`<h1>Overview</h1><div class="grid"></div>`);
  const grid = env.root.querySelector('.grid') as HTMLElement;
  env.card(grid, { id: 'stage', title: 'Current stage', topics: ['stage-analyzer.*'], load: async (s) => stageView(await callTool<StageCurrent>('stage_current', {}, s)) });
  env.card(grid, { id: 'today', title: 'Today', topics: MONITOR_TYPES, load: async (s) => todayView(await callTool<MetricsSummary>('metrics_summary', { period: 'today' }, s)) });
  env.card(grid, { id: 'bottlenecks', title: 'Open bottlenecks', topics: ['bottleneck-detector.*'], load: async (s) => bottlenecksView(await callTool('bottlenecks_list', { limit: 5 }, s)) });
  env.card(grid, { id: 'context', title: 'Context', topics: [...MONITOR_TYPES, 'stage-analyzer.*', 'bottleneck-detector.*'], load: async (s) => contextView(await callTool<Context>('devflow_context', {}, s)) });

  const recent = env.card(grid, {
    id: 'recent',
    title: 'Latest activity',
    wide: true,
    load: async (s) => {
      const r = await callTool<{ events?: unknown[] }>('activity_recent', { limit: 15 }, s);
      const items = (r.events ?? []).map(toActivityItem).filter((i) => i !== null);
      queueMicrotask(() => list.set(items));
      return html``;
    },
  });
  const list = new ActivityList(recent.body.parentElement as Element, 15, 'Latest activity');
  return {
    onEvent(_e, item) {
      list.prepend(item);
    },
  };
};

