// The activity list of the Overview and Activity pages: rendered once, then live items go in
// front of it as single nodes (no re-render), newest first, bounded.
import { type ActivityItem, mergeNewest, projectName, sourceOf } from './lib/events.js';
import { html } from './lib/escape.js';
import { dateTime } from './lib/format.js';
import { render } from './ui.js';

export function itemMarkup(i: ActivityItem, now = Date.now()) {
  return html`<li data-seq="${i.seq}" data-type="${i.type}" class="sev-${i.severity}"><time datetime="${new Date(i.ts).toISOString()}">${dateTime(i.ts, now)}</time><span class="src">${sourceOf(i.type)}</span><span class="summary">${i.summary}</span><span class="proj" title="${i.project ?? ''}">${projectName(i.project)}</span></li>`;
}

export class ActivityList {
  readonly el: HTMLOListElement;
  private readonly seqs = new Set<number>();

  constructor(
    host: Element,
    private readonly max: number,
    label: string,
  ) {
    this.el = document.createElement('ol');
    this.el.className = 'activity';
    this.el.setAttribute('aria-label', label);
    host.append(this.el);
  }

  private live: ActivityItem[] = [];

  /** Replace the list (live items newer than the fetched ones stay on top). */
  set(items: readonly ActivityItem[]): void {
    const newest = items.reduce((m, i) => Math.max(m, i.seq), -1);
    const shown = mergeNewest(items, this.live.filter((i) => i.seq > newest), this.max);
    this.live = [];
    this.seqs.clear();
    const now = Date.now();
    for (const i of shown) this.seqs.add(i.seq);
    render(this.el, shown.length ? html`${shown.map((i) => itemMarkup(i, now))}` : html`<li class="empty muted">Nothing recorded yet.</li>`);
  }

  /** Add older items at the end (paging). */
  append(items: readonly ActivityItem[]): void {
    const now = Date.now();
    const fresh = items.filter((i) => !this.seqs.has(i.seq));
    for (const i of fresh) this.seqs.add(i.seq);
    this.el.querySelector('.empty')?.remove();
    this.el.insertAdjacentHTML('beforeend', html`${fresh.map((i) => itemMarkup(i, now))}`.__html);
  }

  /** A live item in front (ignored when already listed). */
  prepend(i: ActivityItem): void {
    if (this.seqs.has(i.seq)) return;
    this.seqs.add(i.seq);
    this.live.push(i);
    if (this.live.length > this.max) this.live.shift();
    this.el.querySelector('.empty')?.remove();
    this.el.insertAdjacentHTML('afterbegin', itemMarkup(i).__html);
    this.el.firstElementChild?.classList.add('new');
    while (this.el.children.length > this.max) {
      const last = this.el.lastElementChild as HTMLElement | null;
      if (!last) break;
      this.seqs.delete(Number(last.dataset.seq));
      last.remove();
    }
  }
}
