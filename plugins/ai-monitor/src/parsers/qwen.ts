import { envelope, geminiUsage, isObj, str, toolName } from './common.js';
import type { FileContext, ParseResult } from './types.js';

const QUIT = new Set(['/quit', '/exit', '/q']);

/**
 * One Qwen Code record (`~/.qwen/projects/<cwd>/chats/<sessionId>.jsonl`): `user` records are
 * prompts, `assistant` records carry `model`, `usageMetadata` (Gemini API shape) and
 * `functionCall` parts; a `/quit` slash-command record ends the session. Unknown types are ignored.
 */
export function parseQwenRecord(rec: unknown, ctx: FileContext): ParseResult {
  if (!isObj(rec)) return { kind: 'invalid', reason: 'record is not a JSON object' };
  const type = rec.type;
  if (typeof type !== 'string') return { kind: 'invalid', reason: 'record has no "type"' };
  if (type !== 'user' && type !== 'assistant' && type !== 'tool_result' && type !== 'system') return { kind: 'ignored' };
  const facts = envelope(rec, ctx.sessionId);
  const uuid = str(rec.uuid) ?? String(rec.timestamp);

  if (type === 'system') {
    const payload = rec.systemPayload;
    if (rec.subtype === 'slash_command' && isObj(payload) && payload.phase !== 'result' && typeof payload.rawCommand === 'string') {
      if (QUIT.has(payload.rawCommand.trim().split(/\s+/)[0] ?? '')) facts.ended = true;
    }
    return { kind: 'facts', facts };
  }
  if (type === 'tool_result') return { kind: 'facts', facts };

  const message = rec.message;
  if (message !== undefined && !isObj(message)) return { kind: 'invalid', reason: `${type} record with a "message" that is not an object` };
  if (type === 'user') {
    if (!rec.isSidechain) facts.promptId = `p:${uuid}`;
    return { kind: 'facts', facts };
  }
  const model = str(rec.model);
  if (model) facts.model = model;
  const u = rec.usageMetadata;
  if (isObj(u)) facts.usage = { id: `m:${uuid}`, usage: geminiUsage(u.promptTokenCount, u.candidatesTokenCount, u.cachedContentTokenCount, u.thoughtsTokenCount) };
  const parts = isObj(message) && Array.isArray(message.parts) ? message.parts : [];
  const calls: { id: string; name: string }[] = [];
  parts.forEach((part, i) => {
    const call = isObj(part) ? part.functionCall : undefined;
    const name = isObj(call) ? str(call.name) : undefined;
    if (isObj(call) && name) calls.push({ id: `t:${str(call.id) ?? `${uuid}#${i}`}`, name: toolName(name) });
  });
  if (calls.length) facts.toolCalls = calls;
  return { kind: 'facts', facts };
}
