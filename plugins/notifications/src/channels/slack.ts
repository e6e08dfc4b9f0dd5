// Slack incoming webhook: POST { text, blocks }. The Slack integration plugin extends this later
// (bot token, threads, interactive buttons) by registering its own channel type.
import { httpChannel } from './webhook.js';
import type { Message } from './types.js';

const ICON: Readonly<Record<Message['severity'], string>> = { info: ':information_source:', warn: ':warning:', error: ':rotating_light:' };

/** Slack's mrkdwn needs &, < and > escaped. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function slackPayload(m: Message): { text: string; blocks: unknown[] } {
  const head = `${ICON[m.severity]} *${esc(cut(m.title, 200))}*`;
  const lines = m.items?.map((i) => `• ${ICON[i.severity]} ${esc(cut(i.title, 150))}`) ?? [];
  const body = cut([m.body ? esc(m.body) : '', ...lines].filter(Boolean).join('\n'), 2900);
  const context = [m.project ? `project: ${esc(m.project)}` : '', m.rule ? `rule: ${esc(m.rule)}` : '', new Date(m.at).toISOString()].filter(Boolean).join(' · ');
  return {
    text: cut(`${head}${body ? `\n${body}` : ''}`, 3000),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: head } },
      ...(body ? [{ type: 'section', text: { type: 'mrkdwn', text: body } }] : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: context }] },
    ],
  };
}

export const slackChannel = httpChannel('slack', slackPayload, false);
