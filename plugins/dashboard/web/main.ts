// The app: nav and routing (history API; http-api serves index.html for every client route), the
// live stream with its indicator, debounced refresh of the cards an event makes stale, and the
// sign-in notice on 401.
import { callTool, onUnauthorized } from './api.js';
import { toActivityItem } from './lib/events.js';
import { html } from './lib/escape.js';
import { staleCards } from './lib/live-logic.js';
import { ROUTES, type RouteDef, matchRoute } from './lib/routes.js';
import { type LiveState, LiveStream } from './live.js';
import type { Page, PageEnv, PageHandle } from './page.js';
import { activityPage } from './pages/activity.js';
import { auditPage } from './pages/audit.js';
import { metricsPage } from './pages/metrics.js';
import { overviewPage } from './pages/overview.js';
import { aiClientsPage, syncPage } from './pages/placeholders.js';
import { pluginsPage } from './pages/plugins.js';
import { reportsPage } from './pages/reports.js';
import { tasksPage } from './pages/tasks.js';
import { Card, SIGN_IN, render } from './ui.js';

const PAGES: Record<string, Page> = {
  overview: overviewPage,
  activity: activityPage,
  tasks: tasksPage,
  metrics: metricsPage,
  reports: reportsPage,
  plugins: pluginsPage,
  audit: auditPage,
  sync: syncPage,
  'ai-clients': aiClientsPage,
};
const DEBOUNCE_MS = 150;

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const conn = document.getElementById('conn') as HTMLElement;
const banner = document.getElementById('banner') as HTMLElement;

render(nav, html`<ul>${ROUTES.map((r) => html`<li><a href="${r.path}" data-link data-route="${r.id}">${r.title}</a></li>`)}</ul>`);

let controller = new AbortController();
let cards: Card[] = [];
let handle: PageHandle = {};
const stale = new Set<Card>();
let flushTimer: ReturnType<typeof setTimeout> | null = null;
let projects: Promise<readonly string[]> | null = null;

function loadProjects(): Promise<readonly string[]> {
  projects ??= callTool<{ projects?: unknown }>('devflow_status', {})
    .then((s) => (Array.isArray(s.projects) ? s.projects.filter((p): p is string => typeof p === 'string') : []))
    .catch(() => []);
  return projects;
}

function show(route: RouteDef | null, focus = true): void {
  controller.abort();
  controller = new AbortController();
  cards = [];
  stale.clear();
  handle = {};
  for (const a of nav.querySelectorAll<HTMLAnchorElement>('a[data-route]')) {
    if (a.dataset.route === route?.id) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!route) {
    document.title = 'Not found · DevFlow';
    render(main, html`<h1>Not found</h1><p>There is no page at <code>${location.pathname}</code>. <a href="/" data-link>Go to the overview</a>.</p>`);
    return;
  }
  document.title = `${route.title} · DevFlow`;
  main.replaceChildren();
  const signal = controller.signal;
  const env: PageEnv = {
    root: main,
    params: new URLSearchParams(location.search),
    signal,
    navigate: go,
    projects: loadProjects,
    card(host, options) {
      const c = new Card(host, options, signal);
      cards.push(c);
      void c.refresh();
      return c;
    },
  };
  handle = (PAGES[route.id] as Page)(env) ?? {};
  if (focus) main.focus({ preventScroll: true });
}

function go(path: string): void {
  if (path !== location.pathname + location.search) history.pushState(null, '', path);
  show(matchRoute(location.pathname));
}

document.addEventListener('click', (ev) => {
  const a = (ev.target as HTMLElement).closest<HTMLAnchorElement>('a[data-link]');
  if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return;
  ev.preventDefault();
  go(url.pathname + url.search);
});
window.addEventListener('popstate', () => show(matchRoute(location.pathname)));

onUnauthorized(() => {
  banner.hidden = false;
  render(banner, html`<p role="alert"><strong>${SIGN_IN}</strong></p>`);
});

function setState(state: LiveState, detail: string): void {
  conn.dataset.state = state;
  conn.title = detail;
  render(conn, html`<span class="dot" aria-hidden="true"></span>${state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Offline'}<span class="sr-only">: ${detail}</span>`);
}

function flush(): void {
  flushTimer = null;
  const todo = [...stale];
  stale.clear();
  for (const c of todo) void c.refresh();
}

const live = new LiveStream({
  onState: setState,
  onEvent(e) {
    for (const c of cards) if (staleCards(e.type, [{ id: c.options.id, types: c.options.topics ?? [] }]).length) stale.add(c);
    if (stale.size && !flushTimer) flushTimer = setTimeout(flush, DEBOUNCE_MS);
    const item = toActivityItem(e);
    if (item) handle.onEvent?.(e, item);
  },
  onResync() {
    // Events may have been missed while offline: reload what is shown (keeping the focus where it is).
    show(matchRoute(location.pathname), false);
  },
});

show(matchRoute(location.pathname));
live.start();
