import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseClaudeRecord } from '../src/parsers/claude.js';
import { codexSessionFromName, parseCodexRecord } from '../src/parsers/codex.js';
import { toolName } from '../src/parsers/common.js';
import { parseGeminiSession } from '../src/parsers/gemini.js';
import { parseQwenRecord } from '../src/parsers/qwen.js';
import type { FileContext, ParseResult, RecordFacts } from '../src/parsers/types.js';
import { SECRET, claude, codex, gemini, qwen } from './fixtures.js';

const T = Date.parse('2025-11-20T10:00:00.000Z');
const CWD = '/home/dev/app';
const S = '7f2c1d9e-0b7a-4f7e-9a43-3f0e6c1b2a11';

function facts(r: ParseResult): RecordFacts {
  assert.equal(r.kind, 'facts', JSON.stringify(r));
  return (r as { facts: RecordFacts }).facts;
}

test('toolName turns mcp__server__tool into server/tool and keeps other names', () => {
  assert.equal(toolName('mcp__github__create_issue'), 'github/create_issue');
  assert.equal(toolName('mcp__my_server__do__thing'), 'my_server/do__thing');
  assert.equal(toolName('Bash'), 'Bash');
});

test('claude: prompt, assistant usage with cache tokens, tool_use names, no text in the facts', () => {
  const ctx: FileContext = { sessionId: S };
  const p = facts(parseClaudeRecord(claude.prompt({ sessionId: S, cwd: CWD, ts: T, uuid: 'u1', branch: 'fix/login' }), ctx));
  assert.deepEqual(p, { ts: T, sessionId: S, cwd: CWD, branch: 'fix/login', promptId: 'p:u1' });

  const a = facts(
    parseClaudeRecord(
      claude.assistant({ sessionId: S, cwd: CWD, ts: T + 1000, uuid: 'a1', msgId: 'msg_1', usage: { input: 10, output: 50, cacheRead: 9000, cacheWrite: 400 }, tool: { id: 'toolu_1', name: 'mcp__github__create_issue' } }),
      ctx,
    ),
  );
  assert.equal(a.model, 'claude-sonnet-4-5-20250929');
  assert.deepEqual(a.usage, { id: 'm:msg_1', usage: { input: 410, output: 50, cached: 9000 } });
  assert.deepEqual(a.toolCalls, [{ id: 't:toolu_1', name: 'github/create_issue' }]);
  assert.ok(!JSON.stringify([p, a]).includes(SECRET));

  // A tool result is activity, not a prompt.
  const r = facts(parseClaudeRecord(claude.toolResult({ sessionId: S, cwd: CWD, ts: T + 2000, uuid: 'u2', toolUseId: 'toolu_1' }), ctx));
  assert.equal(r.promptId, undefined);
  assert.equal(r.ts, T + 2000);
});

test('claude: meta, sidechain, command echoes and interruptions are not prompts; /exit ends the session', () => {
  const ctx: FileContext = { sessionId: S };
  const base = { sessionId: S, cwd: CWD, ts: T, uuid: 'u' };
  assert.equal(facts(parseClaudeRecord({ ...claude.prompt(base), isMeta: true }, ctx)).promptId, undefined);
  assert.equal(facts(parseClaudeRecord({ ...claude.prompt(base), isSidechain: true }, ctx)).promptId, undefined);
  assert.equal(facts(parseClaudeRecord(claude.prompt({ ...base, text: '[Request interrupted by user for tool use]' }), ctx)).promptId, undefined);
  assert.equal(facts(parseClaudeRecord(claude.prompt({ ...base, text: '<local-command-stdout>ok</local-command-stdout>' }), ctx)).promptId, undefined);
  const withBlocks = { ...claude.prompt(base), message: { role: 'user', content: [{ type: 'text', text: 'look at this' }, { type: 'image', source: { type: 'base64', data: 'AAAA' } }] } };
  assert.equal(facts(parseClaudeRecord(withBlocks, ctx)).promptId, 'p:u');
  const exit = facts(parseClaudeRecord(claude.exit(base), ctx));
  assert.equal(exit.ended, true);
  assert.equal(exit.promptId, undefined);
});

test('claude: known quiet types and unknown types are ignored; broken records are invalid', () => {
  const ctx: FileContext = {};
  assert.deepEqual(parseClaudeRecord(claude.summary(), ctx), { kind: 'ignored' });
  assert.deepEqual(parseClaudeRecord(claude.snapshot(), ctx), { kind: 'ignored' });
  assert.deepEqual(parseClaudeRecord({ type: 'hologram', sessionId: S }, ctx), { kind: 'ignored' });
  assert.equal(parseClaudeRecord([1, 2], ctx).kind, 'invalid');
  assert.equal(parseClaudeRecord({ sessionId: S }, ctx).kind, 'invalid');
  assert.equal(parseClaudeRecord({ type: 'assistant', sessionId: S }, ctx).kind, 'invalid');
  // <synthetic> is Claude Code's own placeholder, not a model.
  const synthetic = claude.assistant({ sessionId: S, cwd: CWD, ts: T, uuid: 'a', msgId: 'm', usage: { input: 0, output: 0 } });
  synthetic.message.model = '<synthetic>';
  assert.equal(facts(parseClaudeRecord(synthetic, ctx)).model, undefined);
  // The file name stands in for a missing sessionId.
  const { sessionId: _s, ...noSession } = claude.prompt({ sessionId: S, cwd: CWD, ts: T, uuid: 'u' });
  assert.equal(facts(parseClaudeRecord(noSession, { sessionId: 'from-file' })).sessionId, 'from-file');
});

test('codex: session_meta and turn_context set the context; prompts, tool calls and cumulative tokens', () => {
  const ctx: FileContext = {};
  const id = '0199a213-81c0-7800-8aa1-bbab2a035a53';
  facts(parseCodexRecord(codex.meta(T, id, CWD), ctx));
  assert.deepEqual(ctx, { sessionId: id, cwd: CWD, branch: 'feature/codex' });
  assert.equal(facts(parseCodexRecord(codex.envContext(T, CWD), ctx)).promptId, undefined, 'environment context is not a prompt');
  const [item, event] = codex.prompt(T + 1000);
  assert.equal(facts(parseCodexRecord(item, ctx)).promptId, undefined, 'the response_item copy of a prompt is not counted');
  assert.equal(facts(parseCodexRecord(event, ctx)).promptId, `p:${new Date(T + 1000).toISOString()}#0`);
  assert.equal(facts(parseCodexRecord(event, ctx)).promptId, `p:${new Date(T + 1000).toISOString()}#1`, 'same timestamp: next ordinal');
  assert.equal(facts(parseCodexRecord(codex.turn(T + 1000, CWD), ctx)).model, 'gpt-5-codex');
  assert.equal(facts(parseCodexRecord(codex.tokens(T + 1500, null), ctx)).cumulative, undefined, 'info: null carries no usage');
  assert.deepEqual(facts(parseCodexRecord(codex.shell(T + 2000, 'call_1')[0], ctx)).toolCalls, [{ id: 't:call_1', name: 'shell' }]);
  assert.deepEqual(facts(parseCodexRecord(codex.patch(T + 2500, 'call_2'), ctx)).toolCalls, [{ id: 't:call_2', name: 'apply_patch' }]);
  assert.deepEqual(facts(parseCodexRecord(codex.mcp(T + 2600, 'call_3'), ctx)).toolCalls, [{ id: 't:call_3', name: 'linear/list_issues' }]);
  const tok = facts(parseCodexRecord(codex.tokens(T + 3000, { input: 5000, cached: 3000, output: 200 }), ctx));
  assert.deepEqual(tok.cumulative, { input: 2000, output: 200, cached: 3000 });
  assert.equal(tok.sessionId, id);
  assert.equal(tok.cwd, CWD);
  assert.deepEqual(parseCodexRecord({ timestamp: new Date(T).toISOString(), type: 'ghost_event', payload: {} }, ctx), { kind: 'ignored' });
  assert.equal(parseCodexRecord({ timestamp: new Date(T).toISOString(), type: 'event_msg', payload: 'x' }, ctx).kind, 'invalid');
  assert.equal(codexSessionFromName(`/x/rollout-2025-11-20T10-00-00-${id}.jsonl`), id);
});

test('codex: the pre-envelope layout (legacy first line and bare items) is still read', () => {
  const ctx: FileContext = {};
  facts(parseCodexRecord({ id: 'legacy-1', timestamp: '2025-05-01T10:00:00Z', instructions: null }, ctx));
  assert.equal(ctx.sessionId, 'legacy-1');
  assert.deepEqual(facts(parseCodexRecord({ type: 'function_call', name: 'shell', arguments: '{}', call_id: 'c9' }, ctx)).toolCalls, [{ id: 't:c9', name: 'shell' }]);
});

test('gemini: prompts, per-message tokens (input excludes cached, thoughts are output), tool calls, project hash', () => {
  const doc = {
    sessionId: 'g-1',
    projectHash: gemini.hash('/home/dev/app'),
    startTime: new Date(T).toISOString(),
    lastUpdated: new Date(T).toISOString(),
    messages: [
      gemini.user('m1', T),
      gemini.reply('m2', T + 1000, { input: 8000, output: 150, cached: 2000, thoughts: 50, tools: [{ id: 'read_file-1', name: 'read_file' }] }),
      { id: 'm3', timestamp: new Date(T + 2000).toISOString(), type: 'info', content: 'x' },
      { id: 'm4', type: 'hologram' },
      'garbage',
    ],
  };
  const s = parseGeminiSession(doc, 'fallback');
  assert.ok(typeof s !== 'string');
  assert.equal(s.sessionId, 'g-1');
  assert.equal(s.invalid, 1);
  assert.equal(s.facts.length, 3, 'unknown message types are ignored');
  assert.equal(s.facts[0]!.promptId, 'p:m1');
  assert.deepEqual(s.facts[1]!.usage, { id: 'm:m2', usage: { input: 6000, output: 200, cached: 2000 } });
  assert.deepEqual(s.facts[1]!.toolCalls, [{ id: 't:read_file-1', name: 'read_file' }]);
  assert.equal(s.facts[1]!.projectHash, doc.projectHash);
  assert.ok(!JSON.stringify(s).includes(SECRET));
  assert.match(String(parseGeminiSession({ conversation: [] }, 'x')), /no "messages" array/);
  assert.match(String(parseGeminiSession([], 'x')), /not a JSON object/);
});

test('qwen: user prompts, assistant usage and functionCall parts, /quit ends the session', () => {
  const ctx: FileContext = { sessionId: 'file-stem' };
  const o = { sessionId: 'q-1', cwd: CWD, ts: T };
  assert.deepEqual(facts(parseQwenRecord(qwen.user({ ...o, uuid: 'q1' }), ctx)), { ts: T, sessionId: 'q-1', cwd: CWD, branch: 'qwen-branch', promptId: 'p:q1' });
  const a = facts(parseQwenRecord(qwen.assistant({ ...o, uuid: 'q2', usage: { prompt: 9000, out: 120, cached: 4000 }, call: { id: 'call_q1', name: 'read_file' } }), ctx));
  assert.equal(a.model, 'qwen3-coder-plus');
  assert.deepEqual(a.usage, { id: 'm:q2', usage: { input: 5000, output: 120, cached: 4000 } });
  assert.deepEqual(a.toolCalls, [{ id: 't:call_q1', name: 'read_file' }]);
  assert.equal(facts(parseQwenRecord(qwen.toolResult({ ...o, uuid: 'q3', callId: 'call_q1' }), ctx)).promptId, undefined);
  assert.equal(facts(parseQwenRecord(qwen.telemetry({ ...o, uuid: 'q4' }), ctx)).ended, undefined);
  assert.equal(facts(parseQwenRecord(qwen.quit({ ...o, uuid: 'q5' }), ctx)).ended, true);
  assert.deepEqual(parseQwenRecord({ type: 'checkpoint', uuid: 'z' }, ctx), { kind: 'ignored' });
  assert.equal(parseQwenRecord({ type: 'assistant', message: 'oops' }, ctx).kind, 'invalid');
});
