// DOM helpers: markup into elements, cards that load and refresh themselves, error messages.
import { ApiError, isAbort } from './api.js';
import { type Html, html } from './lib/escape.js';

export function render(target: Element, markup: Html): void {
  target.innerHTML = markup.__html;
}

export const SIGN_IN = 'Not signed in: open the link DevFlow printed (devflow start) to sign in.';

/** A failure as a short message in place of the content that could not load. */
export function errorView(e: unknown): Html {
  if (e instanceof ApiError) {
    if (e.status === 401) return html`<p class="error" role="alert">${SIGN_IN}</p>`;
    if (e.status === 403) return html`<p class="notice">Not allowed for your role: ${e.message}</p>`;
    if (e.status === 404 && e.code.includes('TOOL')) return html`<p class="notice">Not available: ${e.message} (is its plugin enabled?)</p>`;
    return html`<p class="error" role="alert">${e.message} <code>${e.code}</code></p>`;
  }
  return html`<p class="error" role="alert">${e instanceof Error ? e.message : String(e)}</p>`;
}

export interface CardOptions {
  readonly id: string;
  readonly title: string;
  /** Event types (exact or `prefix.*`) that make the card stale. */
  readonly topics?: readonly string[];
  readonly wide?: boolean;
  load(signal: AbortSignal): Promise<Html>;
}

/** A titled section whose body is loaded by `load` and refreshed on demand; one load at a time, the newest wins. */
export class Card {
  readonly body: HTMLElement;
  private generation = 0;
  private loading: Promise<void> | null = null;
  private again = false;

  constructor(
    host: Element,
    readonly options: CardOptions,
    private readonly signal: AbortSignal,
  ) {
    const section = document.createElement('section');
    section.className = options.wide ? 'card wide' : 'card';
    section.dataset.card = options.id;
    section.setAttribute('aria-labelledby', `card-${options.id}`);
    render(section, html`<h2 id="card-${options.id}">${options.title}</h2><div class="card-body" aria-live="polite"><p class="muted">Loading…</p></div>`);
    host.append(section);
    this.body = section.querySelector('.card-body') as HTMLElement;
  }

  /** Load (again). A refresh asked for while one runs runs once more after it. */
  refresh(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = this.run().finally(() => {
      this.loading = null;
      if (this.again && !this.signal.aborted) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.loading;
  }

  private async run(): Promise<void> {
    const gen = ++this.generation;
    this.body.setAttribute('aria-busy', 'true');
    try {
      const markup = await this.options.load(this.signal);
      if (gen === this.generation && !this.signal.aborted) render(this.body, markup);
    } catch (e) {
      if (!isAbort(e) && !this.signal.aborted) render(this.body, errorView(e));
    } finally {
      this.body.removeAttribute('aria-busy');
    }
  }
}

/** Key/value rows. */
export function facts(rows: readonly (readonly [string, unknown])[]): Html {
  return html`<dl class="facts">${rows.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;
}

/** A big number with a caption. */
export function stat(value: unknown, caption: string, id?: string): Html {
  return html`<div class="stat"${id ? html` data-stat="${id}"` : ''}><span class="value">${value}</span><span class="caption">${caption}</span></div>`;
}
