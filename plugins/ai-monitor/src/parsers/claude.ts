import { envelope, isObj, num, str, toolName, type Obj } from './common.js';
import type { FileContext, ParseResult } from './types.js';

// Record types that are known and carry nothing to count (titles, undo snapshots, queue bookkeeping).
const QUIET = new Set(['summary', 'file-history-snapshot', 'queue-operation', 'progress', 'custom-title', 'tag']);
// Slash commands that end the CLI; Claude Code writes them as a user record.
const EXIT_COMMAND = /<command-name>\/(exit|quit)<\/command-name>/;
// User records Claude Code writes itself: command echoes, interruption notes, hook and caveat text.
const NOT_A_PROMPT = /^\s*(<command-name>|<command-message>|<local-command-stdout>|<local-command-stderr>|\[Request interrupted by user)/;

/** The text blocks of a user message, only to classify it; nothing of it is kept. */
function userKind(content: unknown): 'prompt' | 'tool-result' | 'other' {
  if (typeof content === 'string') return NOT_A_PROMPT.test(content) ? 'other' : content.trim() ? 'prompt' : 'other';
  if (!Array.isArray(content)) return 'other';
  let text = false;
  for (const block of content) {
    if (!isObj(block)) continue;
    if (block.type === 'tool_result') return 'tool-result';
    if (block.type === 'text' && typeof block.text === 'string' && !NOT_A_PROMPT.test(block.text)) text = true;
    if (block.type === 'image' || block.type === 'document') text = true;
  }
  return text ? 'prompt' : 'other';
}

function isExit(content: unknown): boolean {
  if (typeof content === 'string') return EXIT_COMMAND.test(content);
  return Array.isArray(content) && content.some((b) => isObj(b) && typeof b.text === 'string' && EXIT_COMMAND.test(b.text));
}

/**
 * One Claude Code record (`~/.claude/projects/<cwd>/<sessionId>.jsonl`): prompts from user
 * records, model, usage (per `message.id`) and `tool_use` names from assistant records.
 * Sidechain (sub-agent) records count towards the parent session but their user turns are not
 * prompts. Unknown record types are ignored.
 */
export function parseClaudeRecord(rec: unknown, ctx: FileContext): ParseResult {
  if (!isObj(rec)) return { kind: 'invalid', reason: 'record is not a JSON object' };
  const type = rec.type;
  if (typeof type !== 'string') return { kind: 'invalid', reason: 'record has no "type"' };
  if (QUIET.has(type)) return { kind: 'ignored' };
  if (type !== 'user' && type !== 'assistant' && type !== 'system') return { kind: 'ignored' };
  const facts = envelope(rec, ctx.sessionId);
  if (type === 'system') return { kind: 'facts', facts };
  const message = rec.message;
  if (!isObj(message)) return { kind: 'invalid', reason: `${type} record without a "message" object` };

  if (type === 'user') {
    const content = message.content;
    if (isExit(content)) facts.ended = true;
    else if (!rec.isMeta && !rec.isSidechain && !rec.isCompactSummary && userKind(content) === 'prompt') {
      facts.promptId = `p:${str(rec.uuid) ?? `${String(rec.timestamp)}`}`;
    }
    return { kind: 'facts', facts };
  }

  const model = str(message.model);
  if (model && model !== '<synthetic>') facts.model = model;
  const id = str(message.id) ?? str(rec.requestId) ?? str(rec.uuid);
  const usage = message.usage;
  if (isObj(usage) && id) {
    const u = usage as Obj;
    facts.usage = {
      id: `m:${id}`,
      usage: { input: num(u.input_tokens) + num(u.cache_creation_input_tokens), output: num(u.output_tokens), cached: num(u.cache_read_input_tokens) },
    };
  }
  if (Array.isArray(message.content)) {
    const calls: { id: string; name: string }[] = [];
    message.content.forEach((block, i) => {
      if (!isObj(block) || (block.type !== 'tool_use' && block.type !== 'server_tool_use')) return;
      const name = str(block.name);
      if (name) calls.push({ id: `t:${str(block.id) ?? `${id ?? str(rec.uuid)}#${i}`}`, name: toolName(name) });
    });
    if (calls.length) facts.toolCalls = calls;
  }
  return { kind: 'facts', facts };
}
