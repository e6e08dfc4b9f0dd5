// Activity: the timeline of recent events, filtered by type prefix and project, paged, live.
import { ActivityList } from '../activity-list.js';
import { callTool, isAbort } from '../api.js';
import { matchesType, toActivityItem } from '../lib/events.js';
import { html } from '../lib/escape.js';
import { shortPath } from '../lib/format.js';
import { pathWith } from '../lib/routes.js';
import type { Page } from '../page.js';
import { errorView, render } from '../ui.js';

/** Type filters offered: monitors go through activity_recent (readable summaries), the rest through devflow_events_query. */
export const TYPE_FILTERS: readonly { value: string; label: string; tool: 'activity_recent' | 'devflow_events_query' }[] = [
  { value: '', label: 'All monitors', tool: 'activity_recent' },
  { value: 'file-monitor.*', label: 'Files', tool: 'activity_recent' },
  { value: 'git-monitor.*', label: 'Git', tool: 'activity_recent' },
  { value: 'test-monitor.*', label: 'Tests and builds', tool: 'activity_recent' },
  { value: 'ai-monitor.*', label: 'AI assistants', tool: 'activity_recent' },
  { value: 'system-monitor.*', label: 'System', tool: 'activity_recent' },
  { value: 'stage-analyzer.*', label: 'Stages', tool: 'devflow_events_query' },
  { value: 'bottleneck-detector.*', label: 'Bottlenecks', tool: 'devflow_events_query' },
  { value: 'reports.*', label: 'Reports', tool: 'devflow_events_query' },
  { value: 'kernel.*', label: 'DevFlow itself', tool: 'devflow_events_query' },
  { value: '*', label: 'Everything', tool: 'devflow_events_query' },
];
const MONITORS = ['file-monitor.*', 'git-monitor.*', 'test-monitor.*', 'ai-monitor.*', 'system-monitor.*'];
const PAGE = 50;

export const activityPage: Page = (env) => {
  const type = TYPE_FILTERS.find((f) => f.value === (env.params.get('type') ?? '')) ?? (TYPE_FILTERS[0] as (typeof TYPE_FILTERS)[number]);
  const project = env.params.get('project') ?? '';
  render(
    env.root,
    html`<h1>Activity</h1>
    <form class="filters" aria-label="Filter the activity">
      <label>Type <select name="type">${TYPE_FILTERS.map((f) => html`<option value="${f.value}"${f === type ? ' selected' : ''}>${f.label}</option>`)}</select></label>
      <label>Project <select name="project"><option value="">All projects</option>${project ? html`<option value="${project}" selected>${shortPath(project)}</option>` : ''}</select></label>
    </form>
    <section class="card wide" aria-labelledby="activity-h"><h2 id="activity-h">Events, newest first</h2><div class="card-body" aria-live="polite"></div><div class="list-host"></div>
    <p><button type="button" class="more" hidden>Load more</button></p></section>`,
  );
  const form = env.root.querySelector('form') as HTMLFormElement;
  const projectSelect = form.elements.namedItem('project') as HTMLSelectElement;
  void env.projects().then((ps) => {
    for (const p of ps) if (p !== project) projectSelect.add(new Option(shortPath(p), p));
  });
  form.addEventListener('change', () => {
    const data = new FormData(form);
    env.navigate(pathWith('/activity', { type: String(data.get('type') ?? ''), project: String(data.get('project') ?? '') }));
  });
  const status = env.root.querySelector('.card-body') as HTMLElement;
  const list = new ActivityList(env.root.querySelector('.list-host') as HTMLElement, 1000, 'Events');
  const more = env.root.querySelector('button.more') as HTMLButtonElement;
  const filters = type.value === '' ? MONITORS : type.value === '*' ? [] : [type.value];
  let cursor: unknown = null;

  const load = async (first: boolean) => {
    const args: Record<string, unknown> = { limit: PAGE };
    if (type.value && type.value !== '*') args.types = [type.value];
    if (project) args.project = project;
    if (!first && cursor !== null) args.cursor = cursor;
    more.disabled = true;
    try {
      const r = await callTool<{ events?: unknown[]; next?: unknown }>(type.tool, args, env.signal);
      const items = (r.events ?? []).map(toActivityItem).filter((i) => i !== null);
      if (first) list.set(items);
      else list.append(items);
      cursor = r.next ?? null;
      more.hidden = cursor === null || cursor === undefined || items.length < PAGE;
      render(status, html``);
    } catch (e) {
      if (!isAbort(e)) render(status, errorView(e));
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', () => void load(false));
  void load(true);
  return {
    onEvent(_e, item) {
      if (project && item.project !== project) return;
      if (matchesType(item.type, filters)) list.prepend(item);
    },
  };
};
