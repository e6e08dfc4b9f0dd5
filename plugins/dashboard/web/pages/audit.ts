// Audit: the security audit log (admins), filtered by action and outcome, paged.
import { ApiError, callTool, isAbort } from '../api.js';
import { html } from '../lib/escape.js';
import { dateTime } from '../lib/format.js';
import { pathWith } from '../lib/routes.js';
import type { Page } from '../page.js';
import type { AuditEntry } from '../types.js';
import { errorView, render } from '../ui.js';

const OUTCOMES = ['', 'ok', 'error', 'denied', 'vetoed'];

export function rowsView(entries: readonly AuditEntry[], now = Date.now()) {
  return html`${entries.map(
    (e) => html`<tr class="o-${e.outcome}"><td>${dateTime(e.ts, now)}</td><td>${e.principal}${e.role ? html` <span class="muted small">${e.role}</span>` : ''}</td><td><code>${e.action}</code></td><td>${e.target ?? ''}</td><td><span class="tag">${e.outcome}</span></td><td>${typeof e.durationMs === 'number' ? `${e.durationMs.toFixed(1)} ms` : ''}</td></tr>`,
  )}`;
}

export const auditPage: Page = (env) => {
  const action = env.params.get('action') ?? '';
  const outcome = env.params.get('outcome') ?? '';
  render(
    env.root,
    html`<h1>Audit log</h1>
    <form class="filters" aria-label="Filter the audit log">
      <label>Action <input name="action" value="${action}" placeholder="tool:call, rbac:deny…" size="16"></label>
      <label>Outcome <select name="outcome">${OUTCOMES.map((o) => html`<option value="${o}"${o === outcome ? ' selected' : ''}>${o || 'any'}</option>`)}</select></label>
      <button type="submit">Filter</button>
    </form>
    <section class="card wide" aria-labelledby="audit-h"><h2 id="audit-h">Entries, newest first</h2>
    <div class="status" aria-live="polite"></div>
    <div class="table-wrap"><table class="audit" hidden><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Outcome</th><th scope="col">Took</th></tr></thead><tbody></tbody></table></div>
    <p><button type="button" class="more" hidden>Load more</button></p></section>`,
  );
  const form = env.root.querySelector('form') as HTMLFormElement;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    env.navigate(pathWith('/audit', { action: String(f.get('action') ?? '').trim(), outcome: String(f.get('outcome') ?? '') }));
  });
  const status = env.root.querySelector('.status') as HTMLElement;
  const table = env.root.querySelector('table') as HTMLTableElement;
  const body = table.tBodies[0] as HTMLTableSectionElement;
  const more = env.root.querySelector('button.more') as HTMLButtonElement;
  let cursor: unknown = null;
  const load = async (first: boolean) => {
    const args: Record<string, unknown> = { limit: 100 };
    if (action) args.action = action;
    if (outcome) args.outcome = outcome;
    if (!first && cursor !== null) args.cursor = cursor;
    more.disabled = true;
    try {
      const r = await callTool<{ entries?: AuditEntry[]; next?: unknown }>('devflow_audit_query', args, env.signal);
      const entries = r.entries ?? [];
      body.insertAdjacentHTML(first ? 'afterbegin' : 'beforeend', rowsView(entries).__html);
      table.hidden = false;
      cursor = r.next ?? null;
      more.hidden = cursor === null || !entries.length;
      render(status, first && !entries.length ? html`<p class="muted">No audit entries match.</p>` : html``);
    } catch (e) {
      if (isAbort(e)) return;
      render(status, e instanceof ApiError && e.status === 403 ? html`<p class="notice" data-admins-only>Admins only: the audit log needs the <code>audit:read</code> permission.</p>` : errorView(e));
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', () => void load(false));
  void load(true);
};
