import { isObj, num, str, timeOf, toolName, type Obj } from './common.js';
import type { FileContext, ParseResult, RecordFacts } from './types.js';

const TOOL_ITEMS = new Set(['function_call', 'custom_tool_call', 'local_shell_call', 'web_search_call']);

function base(ts: number | null, ctx: FileContext): RecordFacts {
  const facts: RecordFacts = { ts };
  if (ctx.sessionId) facts.sessionId = ctx.sessionId;
  if (ctx.cwd) facts.cwd = ctx.cwd;
  if (ctx.branch) facts.branch = ctx.branch;
  return facts;
}

function toolCall(item: Obj, ts: unknown): { id: string; name: string } | undefined {
  const type = String(item.type);
  const name = type === 'local_shell_call' ? 'local_shell' : type === 'web_search_call' ? 'web_search' : str(item.name);
  if (!name) return undefined;
  return { id: `t:${str(item.call_id) ?? str(item.id) ?? `${String(ts)}:${name}`}`, name: toolName(name) };
}

function sessionMeta(payload: Obj, ctx: FileContext): void {
  const id = str(payload.id);
  if (id) ctx.sessionId = id;
  const cwd = str(payload.cwd, 4096);
  if (cwd) ctx.cwd = cwd;
  const branch = isObj(payload.git) ? str(payload.git.branch) : undefined;
  if (branch) ctx.branch = branch;
}

/**
 * One Codex CLI rollout record (`~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`,
 * `{timestamp, type, payload}`): `session_meta` (id, cwd, git branch), `turn_context` (model),
 * `response_item` tool calls, `event_msg` `user_message` (a prompt) and `token_count`, whose
 * `info.total_token_usage` is cumulative. Records of the pre-0.3 layout (no envelope) are read
 * too; unknown types are ignored.
 */
export function parseCodexRecord(rec: unknown, ctx: FileContext): ParseResult {
  if (!isObj(rec)) return { kind: 'invalid', reason: 'record is not a JSON object' };
  const type = rec.type;
  const ts = timeOf(rec.timestamp);
  if (typeof type !== 'string') {
    // Legacy first line: the session's metadata without an envelope.
    if (str(rec.id) && ts !== null) {
      sessionMeta(rec, ctx);
      return { kind: 'facts', facts: base(ts, ctx) };
    }
    return { kind: 'invalid', reason: 'record has no "type"' };
  }
  if (TOOL_ITEMS.has(type)) {
    const call = toolCall(rec, rec.timestamp);
    return call ? { kind: 'facts', facts: { ...base(ts, ctx), toolCalls: [call] } } : { kind: 'ignored' };
  }
  const payload = rec.payload;
  if (type !== 'session_meta' && type !== 'turn_context' && type !== 'response_item' && type !== 'event_msg' && type !== 'compacted') return { kind: 'ignored' };
  if (!isObj(payload)) return { kind: 'invalid', reason: `${type} record without a "payload" object` };

  switch (type) {
    case 'session_meta':
      sessionMeta(payload, ctx);
      return { kind: 'facts', facts: base(ts, ctx) };
    case 'turn_context': {
      const cwd = str(payload.cwd, 4096);
      if (cwd) ctx.cwd = cwd;
      const model = str(payload.model);
      if (model) ctx.model = model;
      const facts = base(ts, ctx);
      if (model) facts.model = model;
      return { kind: 'facts', facts };
    }
    case 'response_item': {
      const facts = base(ts, ctx);
      if (TOOL_ITEMS.has(String(payload.type))) {
        const call = toolCall(payload, rec.timestamp);
        if (call) facts.toolCalls = [call];
      }
      return { kind: 'facts', facts };
    }
    case 'event_msg': {
      const facts = base(ts, ctx);
      if (payload.type === 'user_message') {
        const stamp = String(rec.timestamp);
        ctx.promptOrdinal = ctx.lastPromptTs === stamp ? (ctx.promptOrdinal ?? 0) + 1 : 0;
        ctx.lastPromptTs = stamp;
        facts.promptId = `p:${stamp}#${ctx.promptOrdinal}`;
      } else if (payload.type === 'token_count') {
        const info = payload.info;
        const total = isObj(info) ? info.total_token_usage : undefined;
        if (isObj(total)) {
          const cached = num(total.cached_input_tokens);
          facts.cumulative = { input: Math.max(0, num(total.input_tokens) - cached), output: num(total.output_tokens), cached };
          if (ctx.model) facts.model = ctx.model;
        }
      }
      return { kind: 'facts', facts };
    }
    default:
      return { kind: 'facts', facts: base(ts, ctx) };
  }
}

/** The session id in a rollout file name (`rollout-<time>-<uuid>.jsonl`). */
export function codexSessionFromName(name: string): string | undefined {
  return /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/i.exec(name)?.[1];
}
