// Reports: generate a report for a period; view the HTML in a sandboxed frame, download Markdown,
// JSON or HTML; the list of report files generated recently.
import { callTool, getText, isAbort } from '../api.js';
import { html } from '../lib/escape.js';
import { bytes, dateTime, shortPath } from '../lib/format.js';
import { pathWith } from '../lib/routes.js';
import type { Page } from '../page.js';
import type { ReportListing } from '../types.js';
import { errorView, render } from '../ui.js';

const PERIODS = ['day', 'week', 'sprint'] as const;

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function listView(r: { reports?: ReportListing[] }, now = Date.now()) {
  const rows = r.reports ?? [];
  if (!rows.length) return html`<p class="muted">No report files yet. HTML reports you generate here, and scheduled ones, appear in this list.</p>`;
  return html`<div class="table-wrap"><table><thead><tr><th scope="col">Generated</th><th scope="col">Period</th><th scope="col">Format</th><th scope="col">Project</th><th scope="col">Size</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
    <tbody>${rows.map(
      (x) => html`<tr><td>${dateTime(x.at, now)}</td><td>${x.period} <span class="muted small">${dateTime(x.from, now)} → ${dateTime(x.to, now)}</span></td><td>${x.format}</td>
      <td title="${x.project ?? ''}">${x.project ? shortPath(x.project, 30) : 'all'}</td><td>${bytes(x.bytes)}</td>
      <td>${x.exists && x.file ? html`<button type="button" data-file="${x.file}" data-format="${x.format}">View</button>` : html`<span class="muted">file gone</span>`}</td></tr>`,
    )}</tbody></table></div>`;
}

export const reportsPage: Page = (env) => {
  render(
    env.root,
    html`<h1>Reports</h1>
    <form class="filters" aria-label="Generate a report">
      <label>Period <select name="period">${PERIODS.map((p) => html`<option${p === 'week' ? ' selected' : ''}>${p}</option>`)}</select></label>
      <label>Project <select name="project"><option value="">All projects</option></select></label>
      <button type="submit" name="view">View</button>
      <button type="button" data-dl="markdown">Download Markdown</button>
      <button type="button" data-dl="json">Download JSON</button>
      <button type="button" data-dl="html">Download HTML</button>
    </form>
    <div class="status" role="status"></div>
    <section class="card wide viewer" aria-labelledby="viewer-h" hidden><h2 id="viewer-h">Report</h2><iframe title="Report" sandbox></iframe></section>
    <div class="grid"></div>`,
  );
  const form = env.root.querySelector('form') as HTMLFormElement;
  const status = env.root.querySelector('.status') as HTMLElement;
  const viewer = env.root.querySelector('.viewer') as HTMLElement;
  const frame = viewer.querySelector('iframe') as HTMLIFrameElement;
  const select = form.elements.namedItem('project') as HTMLSelectElement;
  void env.projects().then((ps) => ps.forEach((p) => select.add(new Option(shortPath(p), p))));
  const args = () => {
    const f = new FormData(form);
    const project = String(f.get('project') ?? '');
    return { period: String(f.get('period') ?? 'week'), ...(project ? { project } : {}) };
  };
  const busy = async (what: string, work: () => Promise<void>) => {
    render(status, html`<p class="muted">${what}…</p>`);
    try {
      await work();
      render(status, html``);
    } catch (e) {
      if (!isAbort(e)) render(status, errorView(e));
    }
  };
  const show = (text: string, title: string) => {
    frame.srcdoc = text;
    (viewer.querySelector('h2') as HTMLElement).textContent = title;
    viewer.hidden = false;
  };
  const stamp = () => new Date().toISOString().slice(0, 10);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const a = args();
    void busy('Generating', async () => {
      const r = await getText(pathWith('/api/v1/dashboard/report', a), env.signal);
      show(r.text, `Report: ${a.period}`);
      void list.refresh();
    });
  });
  form.addEventListener('click', (ev) => {
    const format = (ev.target as HTMLElement).closest<HTMLElement>('[data-dl]')?.dataset.dl;
    if (!format) return;
    const a = args();
    void busy(`Preparing ${format}`, async () => {
      if (format === 'html') {
        download(`devflow-${a.period}-${stamp()}.html`, 'text/html', (await getText(pathWith('/api/v1/dashboard/report', a), env.signal)).text);
        void list.refresh();
      } else if (format === 'markdown') {
        const r = await callTool<{ markdown?: string }>('report_generate', { ...a, format }, env.signal);
        download(`devflow-${a.period}-${stamp()}.md`, 'text/markdown', r.markdown ?? '');
      } else {
        const r = await callTool<{ report?: unknown }>('report_generate', { ...a, format }, env.signal);
        download(`devflow-${a.period}-${stamp()}.json`, 'application/json', JSON.stringify(r.report ?? r, null, 2));
      }
    });
  });
  const grid = env.root.querySelector('.grid') as HTMLElement;
  const list = env.card(grid, { id: 'files', title: 'Report files', wide: true, topics: ['reports.*'], load: async (s) => listView(await callTool('reports_list', { limit: 20 }, s)) });
  list.body.addEventListener('click', (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLButtonElement>('button[data-file]');
    if (!b) return;
    const file = b.dataset.file ?? '';
    void busy('Opening', async () => {
      const r = await getText(pathWith('/api/v1/dashboard/report-file', { file }), env.signal);
      show(r.type.includes('html') ? r.text : `<pre style="white-space:pre-wrap">${html`${r.text}`.__html}</pre>`, `Report: ${shortPath(file, 60)}`);
    });
  });
};
