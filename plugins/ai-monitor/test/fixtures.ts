// Realistic transcript records of each tool, in the shapes they write (see REFERENCE.md and the
// parsers' doc comments). `secret` goes wherever a tool stores prompt, response or file text.
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const SECRET = `TOPSECRET-${randomBytes(8).toString('hex')}`;

export const iso = (ms: number) => new Date(ms).toISOString();

export function writeLines(path: string, records: readonly unknown[], opts: { append?: boolean } = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const text = records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + (records.length ? '\n' : '');
  if (opts.append) appendFileSync(path, text);
  else writeFileSync(path, text);
}

/** Claude Code: `<root>/<cwd with / → ->/<sessionId>.jsonl`. */
export const claude = {
  dir: (root: string, cwd: string) => `${root}/${cwd.replace(/[^a-zA-Z0-9]/g, '-')}`,
  base(o: { sessionId: string; cwd: string; ts: number; uuid: string; parentUuid?: string | null; branch?: string }) {
    return {
      parentUuid: o.parentUuid ?? null,
      isSidechain: false,
      userType: 'external',
      cwd: o.cwd,
      sessionId: o.sessionId,
      version: '2.0.76',
      gitBranch: o.branch ?? 'main',
      uuid: o.uuid,
      timestamp: iso(o.ts),
    };
  },
  prompt(o: { sessionId: string; cwd: string; ts: number; uuid: string; text?: string; branch?: string }) {
    return { ...claude.base(o), type: 'user', message: { role: 'user', content: o.text ?? `Please fix the login bug ${SECRET}` }, thinkingMetadata: { level: 'high', disabled: false, triggers: [] }, todos: [] };
  },
  assistant(o: {
    sessionId: string;
    cwd: string;
    ts: number;
    uuid: string;
    msgId: string;
    model?: string;
    usage: { input: number; output: number; cacheRead?: number; cacheWrite?: number };
    tool?: { id: string; name: string };
  }) {
    const content = o.tool
      ? [{ type: 'tool_use', id: o.tool.id, name: o.tool.name, input: { file_path: `/src/${SECRET}.ts`, command: `grep ${SECRET}` } }]
      : [{ type: 'text', text: `Here is what I found: ${SECRET}` }];
    return {
      ...claude.base(o),
      type: 'assistant',
      requestId: `req_${o.msgId}`,
      message: {
        model: o.model ?? 'claude-sonnet-4-5-20250929',
        id: o.msgId,
        type: 'message',
        role: 'assistant',
        content,
        stop_reason: o.tool ? 'tool_use' : 'end_turn',
        stop_sequence: null,
        usage: {
          input_tokens: o.usage.input,
          cache_creation_input_tokens: o.usage.cacheWrite ?? 0,
          cache_read_input_tokens: o.usage.cacheRead ?? 0,
          cache_creation: { ephemeral_5m_input_tokens: o.usage.cacheWrite ?? 0, ephemeral_1h_input_tokens: 0 },
          output_tokens: o.usage.output,
          service_tier: 'standard',
        },
      },
    };
  },
  toolResult(o: { sessionId: string; cwd: string; ts: number; uuid: string; toolUseId: string }) {
    return {
      ...claude.base(o),
      type: 'user',
      message: { role: 'user', content: [{ tool_use_id: o.toolUseId, type: 'tool_result', content: `export const key = "${SECRET}";` }] },
      toolUseResult: { type: 'text', file: { filePath: `/src/${SECRET}.ts`, content: SECRET, numLines: 1, startLine: 1, totalLines: 1 } },
    };
  },
  exit(o: { sessionId: string; cwd: string; ts: number; uuid: string }) {
    return { ...claude.base(o), type: 'user', message: { role: 'user', content: '<command-name>/exit</command-name>\n<command-message>exit</command-message>\n<command-args></command-args>' } };
  },
  summary: () => ({ type: 'summary', summary: `Fixing ${SECRET}`, leafUuid: 'x' }),
  snapshot: () => ({ type: 'file-history-snapshot', messageId: 'm', snapshot: { trackedFileBackups: {}, timestamp: iso(0) }, isSnapshotUpdate: false }),
};

/** Codex CLI: `<root>/YYYY/MM/DD/rollout-<time>-<uuid>.jsonl`. */
export const codex = {
  path: (root: string, ts: number, id: string) => {
    const d = new Date(ts);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${root}/${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/rollout-${iso(ts).slice(0, 19).replace(/:/g, '-')}-${id}.jsonl`;
  },
  meta: (ts: number, id: string, cwd: string, branch = 'feature/codex') => ({
    timestamp: iso(ts),
    type: 'session_meta',
    payload: { id, timestamp: iso(ts), cwd, originator: 'codex_cli_rs', cli_version: '0.46.0', instructions: null, git: { commit_hash: 'abc123', branch, repository_url: 'git@example.com:o/r.git' } },
  }),
  envContext: (ts: number, cwd: string) => ({
    timestamp: iso(ts),
    type: 'response_item',
    payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: `<environment_context>\n  <cwd>${cwd}</cwd>\n</environment_context>` }] },
  }),
  prompt: (ts: number) => [
    { timestamp: iso(ts), type: 'response_item', payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: `refactor ${SECRET}` }] } },
    { timestamp: iso(ts), type: 'event_msg', payload: { type: 'user_message', message: `refactor ${SECRET}`, images: [] } },
  ],
  turn: (ts: number, cwd: string, model = 'gpt-5-codex') => ({
    timestamp: iso(ts),
    type: 'turn_context',
    payload: { cwd, approval_policy: 'on-request', sandbox_policy: { mode: 'workspace-write', network_access: false }, model, effort: 'medium', summary: 'auto' },
  }),
  reasoning: (ts: number) => ({ timestamp: iso(ts), type: 'response_item', payload: { type: 'reasoning', summary: [{ type: 'summary_text', text: `**Planning** ${SECRET}` }], content: null, encrypted_content: 'gAAAAB' } }),
  shell: (ts: number, callId: string) => [
    { timestamp: iso(ts), type: 'response_item', payload: { type: 'function_call', name: 'shell', arguments: JSON.stringify({ command: ['bash', '-lc', `cat ${SECRET}`] }), call_id: callId } },
    { timestamp: iso(ts), type: 'response_item', payload: { type: 'function_call_output', call_id: callId, output: JSON.stringify({ output: SECRET, metadata: { exit_code: 0 } }) } },
  ],
  patch: (ts: number, callId: string) => ({ timestamp: iso(ts), type: 'response_item', payload: { type: 'custom_tool_call', status: 'completed', call_id: callId, name: 'apply_patch', input: `*** Begin Patch\n+${SECRET}\n*** End Patch` } }),
  mcp: (ts: number, callId: string) => ({ timestamp: iso(ts), type: 'response_item', payload: { type: 'function_call', name: 'mcp__linear__list_issues', arguments: JSON.stringify({ query: SECRET }), call_id: callId } }),
  tokens: (ts: number, total: { input: number; cached: number; output: number } | null) => ({
    timestamp: iso(ts),
    type: 'event_msg',
    payload: {
      type: 'token_count',
      info: total && {
        total_token_usage: { input_tokens: total.input, cached_input_tokens: total.cached, output_tokens: total.output, reasoning_output_tokens: 10, total_tokens: total.input + total.output },
        last_token_usage: { input_tokens: 100, cached_input_tokens: 0, output_tokens: 10, reasoning_output_tokens: 0, total_tokens: 110 },
        model_context_window: 272000,
      },
      rate_limits: { primary: { used_percent: 3, window_minutes: 300 }, secondary: null },
    },
  }),
  agent: (ts: number) => ({ timestamp: iso(ts), type: 'event_msg', payload: { type: 'agent_message', message: `Done: ${SECRET}` } }),
};

/** Gemini CLI: `<root>/<sha256(project)>/chats/session-<time>-<id>.json`, rewritten in place. */
export const gemini = {
  hash: (project: string) => createHash('sha256').update(project).digest('hex'),
  path: (root: string, project: string, name: string) => `${root}/${gemini.hash(project)}/chats/session-${name}.json`,
  user: (id: string, ts: number) => ({ id, timestamp: iso(ts), type: 'user', content: `why does ${SECRET} fail?` }),
  reply: (id: string, ts: number, o: { input: number; output: number; cached: number; thoughts?: number; tools?: { id: string; name: string }[]; model?: string }) => ({
    id,
    timestamp: iso(ts),
    type: 'gemini',
    content: `Because ${SECRET}`,
    thoughts: [{ subject: 'Reading', description: `the file ${SECRET}`, timestamp: iso(ts) }],
    tokens: { input: o.input, output: o.output, cached: o.cached, thoughts: o.thoughts ?? 0, tool: 0, total: o.input + o.output + (o.thoughts ?? 0) },
    model: o.model ?? 'gemini-2.5-pro',
    ...(o.tools
      ? {
          toolCalls: o.tools.map((t) => ({
            id: t.id,
            name: t.name,
            args: { absolute_path: `/src/${SECRET}` },
            result: [{ functionResponse: { id: t.id, name: t.name, response: { output: SECRET } } }],
            status: 'success',
            timestamp: iso(ts),
            displayName: 'ReadFile',
            description: 'Reads a file',
            resultDisplay: SECRET,
            renderOutputAsMarkdown: true,
          })),
        }
      : {}),
  }),
  write(path: string, o: { sessionId: string; project: string; start: number; messages: unknown[] }): void {
    mkdirSync(dirname(path), { recursive: true });
    const last = (o.messages[o.messages.length - 1] as { timestamp?: string } | undefined)?.timestamp ?? iso(o.start);
    writeFileSync(path, JSON.stringify({ sessionId: o.sessionId, projectHash: gemini.hash(o.project), startTime: iso(o.start), lastUpdated: last, messages: o.messages }, null, 2));
  },
};

/** Qwen Code: `<root>/<cwd sanitized>/chats/<sessionId>.jsonl`. */
export const qwen = {
  path: (root: string, cwd: string, sessionId: string) => `${root}/${cwd.replace(/[^a-zA-Z0-9]/g, '-')}/chats/${sessionId}.jsonl`,
  base: (o: { uuid: string; sessionId: string; cwd: string; ts: number; parentUuid?: string | null }) => ({
    uuid: o.uuid,
    parentUuid: o.parentUuid ?? null,
    sessionId: o.sessionId,
    timestamp: iso(o.ts),
    cwd: o.cwd,
    version: '0.2.1',
    gitBranch: 'qwen-branch',
  }),
  user: (o: { uuid: string; sessionId: string; cwd: string; ts: number }) => ({ ...qwen.base(o), type: 'user', message: { role: 'user', parts: [{ text: `add tests for ${SECRET}` }] } }),
  assistant: (o: { uuid: string; sessionId: string; cwd: string; ts: number; usage: { prompt: number; out: number; cached: number }; call?: { id: string; name: string } }) => ({
    ...qwen.base(o),
    type: 'assistant',
    model: 'qwen3-coder-plus',
    message: { role: 'model', parts: [{ text: `Sure, ${SECRET}` }, ...(o.call ? [{ functionCall: { id: o.call.id, name: o.call.name, args: { absolute_path: `/src/${SECRET}` } } }] : [])] },
    usageMetadata: { promptTokenCount: o.usage.prompt, candidatesTokenCount: o.usage.out, cachedContentTokenCount: o.usage.cached, totalTokenCount: o.usage.prompt + o.usage.out, thoughtsTokenCount: 0 },
  }),
  toolResult: (o: { uuid: string; sessionId: string; cwd: string; ts: number; callId: string }) => ({
    ...qwen.base(o),
    type: 'tool_result',
    message: { role: 'user', parts: [{ functionResponse: { id: o.callId, name: 'read_file', response: { output: SECRET } } }] },
    toolCallResult: { callId: o.callId, status: 'success', resultDisplay: SECRET },
  }),
  telemetry: (o: { uuid: string; sessionId: string; cwd: string; ts: number }) => ({ ...qwen.base(o), type: 'system', subtype: 'ui_telemetry', systemPayload: { uiEvent: { 'event.name': 'qwen-code.api_response', prompt_id: SECRET } } }),
  quit: (o: { uuid: string; sessionId: string; cwd: string; ts: number }) => ({ ...qwen.base(o), type: 'system', subtype: 'slash_command', systemPayload: { phase: 'invocation', rawCommand: '/quit' } }),
};
