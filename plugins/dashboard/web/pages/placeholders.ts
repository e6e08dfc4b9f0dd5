// Sync and AI clients: filled in by their own issues.
import { html } from '../lib/escape.js';
import type { Page } from '../page.js';
import { render } from '../ui.js';

const placeholder = (title: string, what: string, anchor: string): Page => (env) =>
  render(
    env.root,
    html`<h1>${title}</h1><section class="card wide placeholder" aria-label="${title}"><p><strong>Not configured yet</strong> — arrives with ${what}.</p>
    <p><a href="/docs.html#${anchor}">What this page will show, and how to prepare</a></p></section>`,
  );

export const syncPage = placeholder('Sync', 'team sync', 'sync');
export const aiClientsPage = placeholder('AI clients', 'AI-client config sync', 'ai-clients');
