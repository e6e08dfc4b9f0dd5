// Plugins: every plugin with its state and why; enable/disable (devflow_plugin_set_enabled), the
// list following the change live (kernel.plugin.* events).
import { callTool, isAbort } from '../api.js';
import { html } from '../lib/escape.js';
import type { Page } from '../page.js';
import type { PluginRow } from '../types.js';
import { errorView, render } from '../ui.js';

/** Disabling these from the dashboard would take the dashboard down with them. */
export const SELF = new Set(['http-api', 'dashboard']);

/** States of a plugin the config has switched off. */
const OFF = new Set(['disabled', 'stopped']);

export function pluginsView(r: { plugins?: PluginRow[] }) {
  // By id, so a row does not move when its plugin restarts.
  const rows = [...(r.plugins ?? [])].sort((a, b) => a.id.localeCompare(b.id));
  return html`<div class="table-wrap"><table class="plugins"><thead><tr><th scope="col">Plugin</th><th scope="col">State</th><th scope="col">Why / last error</th><th scope="col">Tools</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
  <tbody>${rows.map((p) => {
    const on = !OFF.has(p.state);
    const self = SELF.has(p.id);
    return html`<tr data-plugin="${p.id}" data-state="${p.state}">
      <th scope="row">${p.id}${p.version ? html` <span class="muted small">${p.version}</span>` : ''}${p.entry !== p.id ? html`<div class="muted small">${p.entry}</div>` : ''}</th>
      <td><span class="tag s-${p.state}">${p.state}</span></td>
      <td>${p.reason ? html`<div>${p.reason}</div>` : ''}${p.lastError ? html`<div class="error small">${p.lastError}</div>` : ''}</td>
      <td>${p.tools.length}</td>
      <td><button type="button" data-toggle="${p.id}" data-enable="${on ? 'false' : 'true'}"${self ? html` disabled title="The dashboard runs on ${p.id}: use devflow plugins disable ${p.id}"` : ''} aria-label="${on ? 'Disable' : 'Enable'} ${p.id}">${on ? 'Disable' : 'Enable'}</button></td></tr>`;
  })}</tbody></table></div>`;
}

export const pluginsPage: Page = (env) => {
  render(env.root, html`<h1>Plugins</h1><div class="status" role="status" aria-live="polite"></div><div class="grid"></div>`);
  const status = env.root.querySelector('.status') as HTMLElement;
  const list = env.card(env.root.querySelector('.grid') as HTMLElement, {
    id: 'plugins',
    title: 'Installed plugins',
    wide: true,
    topics: ['kernel.plugin.*'],
    load: async (s) => pluginsView(await callTool('devflow_plugins_list', {}, s)),
  });
  list.body.addEventListener('click', (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLButtonElement>('button[data-toggle]');
    if (!b || b.disabled) return;
    const plugin = b.dataset.toggle ?? '';
    const enabled = b.dataset.enable === 'true';
    b.disabled = true;
    b.setAttribute('aria-busy', 'true');
    render(status, html`<p class="muted">${enabled ? 'Enabling' : 'Disabling'} ${plugin}…</p>`);
    void (async () => {
      try {
        const r = await callTool<{ started?: string[]; stopped?: string[]; problems?: string[] }>('devflow_plugin_set_enabled', { plugin, enabled }, env.signal);
        const parts = [r.started?.length ? `started ${r.started.join(', ')}` : '', r.stopped?.length ? `stopped ${r.stopped.join(', ')}` : ''].filter(Boolean);
        render(status, html`<p class="ok">${plugin} ${enabled ? 'enabled' : 'disabled'}${parts.length ? `: ${parts.join('; ')}` : ''}.</p>${(r.problems ?? []).map((p) => html`<p class="error">${p}</p>`)}`);
      } catch (e) {
        if (!isAbort(e)) render(status, errorView(e));
      }
      await list.refresh();
      list.body.querySelector<HTMLButtonElement>(`button[data-toggle="${CSS.escape(plugin)}"]`)?.focus();
    })();
  });
};
