// Tasks: tasks_list, and the timeline of the chosen task (task_timeline).
import { callTool } from '../api.js';
import { html } from '../lib/escape.js';
import { baseName, dateTime, duration, relative } from '../lib/format.js';
import { MONITOR_TYPES } from '../lib/live-logic.js';
import { pathWith } from '../lib/routes.js';
import type { Page } from '../page.js';
import type { TaskRow, TaskTimeline } from '../types.js';
import { render } from '../ui.js';

export function tasksView(r: { tasks?: TaskRow[]; more?: boolean }, chosen: string | null, now = Date.now()) {
  const tasks = r.tasks ?? [];
  if (!tasks.length) return html`<p class="muted">No tasks in the last 30 days. A task is a branch or an issue key you worked on.</p>`;
  return html`<div class="table-wrap"><table>
    <thead><tr><th scope="col">Task</th><th scope="col">Project</th><th scope="col">Last activity</th><th scope="col">Active</th><th scope="col">Edits</th><th scope="col">Commits</th><th scope="col">Tests</th></tr></thead>
    <tbody>${tasks.map(
      (t) => html`<tr${t.task === chosen ? html` aria-current="true"` : ''}>
        <th scope="row"><a href="${pathWith('/tasks', { task: t.task, project: t.project })}" data-link>${t.task}</a>${t.branch && t.branch !== t.task ? html`<div class="muted small">${t.branch}</div>` : ''}</th>
        <td title="${t.project ?? ''}">${baseName(t.project)}</td><td>${relative(t.lastTs, now)}</td><td>${duration(t.activeMs)}</td>
        <td>${t.edits}</td><td>${t.commits}</td><td><span class="tag t-${t.tests}">${t.tests}</span>${t.redRuns ? html` <span class="muted">${t.redRuns} red</span>` : ''}</td></tr>`,
    )}</tbody></table></div>${r.more ? html`<p class="muted">More tasks exist; the most recent are shown.</p>` : ''}`;
}

export function timelineView(t: TaskTimeline, now = Date.now()) {
  if (!t.task) return html`<p class="muted">${t.note ?? 'No task checked out now. Choose one from the list.'}</p>`;
  const s = t.stats;
  return html`<p><strong>${t.task}</strong>${t.branch ? html` on <code>${t.branch}</code>` : ''}${t.project ? html` in <span title="${t.project}">${baseName(t.project)}</span>` : ''}</p>
    ${s ? html`<p class="muted">${s.entries} entries · active ${duration(s.activeMs)} · ${dateTime(s.firstTs, now)} → ${dateTime(s.lastTs, now)}</p>` : ''}
    ${t.note ? html`<p class="note">${t.note}</p>` : ''}
    <ol class="timeline">${t.entries.map((e) => html`<li data-kind="${e.kind}"><time datetime="${new Date(e.ts).toISOString()}">${dateTime(e.ts, now)}</time><span class="tag">${e.kind}</span><span class="summary">${e.summary}</span></li>`)}</ol>
    ${t.more ? html`<p class="muted">Older entries are not shown.</p>` : ''}`;
}

export const tasksPage: Page = (env) => {
  const task = env.params.get('task');
  const project = env.params.get('project');
  render(env.root, html`<h1>Tasks</h1><div class="grid two"></div>`);
  const grid = env.root.querySelector('.grid') as HTMLElement;
  env.card(grid, { id: 'tasks', title: 'Recent tasks', topics: MONITOR_TYPES, load: async (s) => tasksView(await callTool('tasks_list', { limit: 30 }, s), task) });
  env.card(grid, {
    id: 'timeline',
    title: task ? `Timeline of ${task}` : 'Timeline of the current task',
    topics: MONITOR_TYPES,
    load: async (s) => {
      const args: Record<string, unknown> = { limit: 100 };
      if (task) args.task = task;
      if (project) args.project = project;
      return timelineView(await callTool<TaskTimeline>('task_timeline', args, s));
    },
  });
};
