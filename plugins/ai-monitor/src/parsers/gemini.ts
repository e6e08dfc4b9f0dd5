import { geminiUsage, isObj, str, timeOf, toolName } from './common.js';
import type { RecordFacts } from './types.js';

export interface GeminiSession {
  sessionId: string;
  projectHash?: string;
  facts: RecordFacts[];
  /** Messages skipped because they were malformed. */
  invalid: number;
}

/**
 * A Gemini CLI session file (`~/.gemini/tmp/<projectHash>/chats/session-*.json`, one JSON
 * document rewritten in place): `messages[]` of type `user` (a prompt) and `gemini` (`model`,
 * `tokens`, `toolCalls`). Message and tool-call ids make re-reading the whole file idempotent.
 * Returns a reason string when the document is not a Gemini session.
 */
export function parseGeminiSession(doc: unknown, fallbackSession: string): GeminiSession | string {
  if (!isObj(doc)) return 'the file is not a JSON object';
  if (!Array.isArray(doc.messages)) return 'the file has no "messages" array (unknown Gemini CLI format)';
  const sessionId = str(doc.sessionId) ?? fallbackSession;
  const out: GeminiSession = { sessionId, facts: [], invalid: 0 };
  const projectHash = str(doc.projectHash);
  if (projectHash) out.projectHash = projectHash;
  doc.messages.forEach((m, index) => {
    if (!isObj(m) || typeof m.type !== 'string') {
      out.invalid++;
      return;
    }
    const id = str(m.id) ?? `#${index}`;
    const facts: RecordFacts = { ts: timeOf(m.timestamp), sessionId };
    if (projectHash) facts.projectHash = projectHash;
    if (m.type === 'user') facts.promptId = `p:${id}`;
    else if (m.type === 'gemini') {
      const model = str(m.model);
      if (model) facts.model = model;
      if (isObj(m.tokens)) facts.usage = { id: `m:${id}`, usage: geminiUsage(m.tokens.input, m.tokens.output, m.tokens.cached, m.tokens.thoughts) };
      if (Array.isArray(m.toolCalls)) {
        const calls: { id: string; name: string }[] = [];
        m.toolCalls.forEach((c, i) => {
          const name = isObj(c) ? str(c.name) : undefined;
          if (isObj(c) && name) calls.push({ id: `t:${str(c.id) ?? `${id}#${i}`}`, name: toolName(name) });
        });
        if (calls.length) facts.toolCalls = calls;
      }
    } else if (m.type !== 'info' && m.type !== 'error' && m.type !== 'warning') return; // unknown message type: ignored
    out.facts.push(facts);
  });
  return out;
}
