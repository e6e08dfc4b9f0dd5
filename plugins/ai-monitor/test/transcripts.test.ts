// Each tool's transcripts, written in its own format into temp dirs, read through the kernel.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { claude, codex, gemini, qwen, writeLines } from './fixtures.js';
import { scanLatest, setup } from './helpers.js';

const S1 = '4b0c7a3e-5d1f-4e2a-9c6b-1f2e3d4c5b6a';

test('claude: appends across polls, one count per message id, a partial line completed later, sub-agent files join their session', async (t) => {
  const s = await setup(t);
  const T0 = s.clock.now - 600_000;
  const cwd = s.project;
  const file = join(claude.dir(s.roots.claude, cwd), `${S1}.jsonl`);
  const o = { sessionId: S1, cwd };
  writeLines(file, [
    claude.summary(),
    claude.snapshot(),
    claude.prompt({ ...o, ts: T0, uuid: 'u1' }),
    claude.assistant({ ...o, ts: T0 + 5_000, uuid: 'a1', msgId: 'msg_1', usage: { input: 10, output: 3, cacheRead: 12_000, cacheWrite: 500 } }),
    // The same message again (Claude Code writes one record per content block), with the final usage.
    claude.assistant({ ...o, ts: T0 + 6_000, uuid: 'a2', msgId: 'msg_1', usage: { input: 10, output: 120, cacheRead: 12_000, cacheWrite: 500 }, tool: { id: 'toolu_1', name: 'Read' } }),
    claude.toolResult({ ...o, ts: T0 + 7_000, uuid: 'u2', toolUseId: 'toolu_1' }),
    claude.assistant({ ...o, ts: T0 + 10_000, uuid: 'a3', msgId: 'msg_2', usage: { input: 5, output: 40, cacheRead: 13_000 }, tool: { id: 'toolu_2', name: 'mcp__github__create_issue' } }),
  ]);
  let d = await scanLatest(s, S1);
  assert.equal(d.tool, 'claude');
  assert.equal(d.project, s.project);
  assert.equal(d.branch, 'main');
  assert.equal(d.model, 'claude-sonnet-4-5-20250929');
  assert.equal(d.prompts, 1);
  assert.deepEqual(d.tokens, { input: 515, output: 160, cached: 25_000 });
  assert.deepEqual(d.toolCalls, { Read: 1, 'github/create_issue': 1 });
  assert.equal(d.startedAt, T0);
  assert.equal(d.lastActivityAt, T0 + 10_000);
  assert.equal(d.activeMs, 10_000);

  // Append a prompt and half of the next record.
  const next = JSON.stringify(claude.assistant({ ...o, ts: T0 + 65_000, uuid: 'a4', msgId: 'msg_3', usage: { input: 7, output: 30, cacheRead: 14_000 } }));
  appendFileSync(file, `${JSON.stringify(claude.prompt({ ...o, ts: T0 + 60_000, uuid: 'u3', branch: 'feature/x' }))}\n${next.slice(0, 40)}`);
  d = await scanLatest(s, S1);
  assert.equal(d.prompts, 2);
  assert.equal(d.branch, 'feature/x', 'the latest branch');
  assert.deepEqual(d.tokens, { input: 515, output: 160, cached: 25_000 }, 'the partial record is not counted yet');

  // Complete it, and append a copy of msg_2 (a resumed session repeats earlier messages).
  appendFileSync(file, `${next.slice(40)}\n${JSON.stringify(claude.assistant({ ...o, ts: T0 + 10_000, uuid: 'a3', msgId: 'msg_2', usage: { input: 5, output: 40, cacheRead: 13_000 }, tool: { id: 'toolu_2', name: 'mcp__github__create_issue' } }))}\n`);
  d = await scanLatest(s, S1);
  assert.deepEqual(d.tokens, { input: 522, output: 190, cached: 39_000 }, 'msg_3 once; the copy of msg_2 adds nothing');
  assert.deepEqual(d.toolCalls, { Read: 1, 'github/create_issue': 1 });
  assert.equal(d.activeMs, 10_000 + 50_000 + 5_000);

  // A sub-agent transcript: its usage and tools count for the parent session, its task is not a prompt.
  const sub = join(claude.dir(s.roots.claude, cwd), S1, 'subagents', 'agent-a1b2.jsonl');
  writeLines(sub, [
    { ...claude.prompt({ ...o, ts: T0 + 70_000, uuid: 's1' }), isSidechain: true },
    { ...claude.assistant({ ...o, ts: T0 + 75_000, uuid: 's2', msgId: 'msg_sub', model: 'claude-haiku-4-5', usage: { input: 100, output: 10 }, tool: { id: 'toolu_s', name: 'Grep' } }), isSidechain: true },
  ]);
  d = await scanLatest(s, S1);
  assert.equal(d.prompts, 2);
  assert.deepEqual(d.tokens, { input: 622, output: 200, cached: 39_000 });
  assert.equal(d.toolCalls.Grep, 1);
  assert.deepEqual(d.models.sort(), ['claude-haiku-4-5', 'claude-sonnet-4-5-20250929']);
  assert.equal(d.model, 'claude-sonnet-4-5-20250929', 'the main model is the one used most');
});

test('codex: cumulative token_count, prompts from user_message, tool calls, branch and project from session_meta', async (t) => {
  const s = await setup(t);
  const T0 = s.clock.now - 300_000;
  const id = '0199a213-81c0-7800-8aa1-bbab2a035a53';
  const cwd = join(s.project, 'packages', 'api');
  const file = codex.path(s.roots.codex, T0, id);
  writeLines(file, [
    codex.meta(T0, id, cwd),
    codex.envContext(T0, cwd),
    ...codex.prompt(T0 + 1_000),
    codex.turn(T0 + 1_000, cwd),
    codex.tokens(T0 + 1_500, null),
    codex.reasoning(T0 + 2_000),
    ...codex.shell(T0 + 3_000, 'call_1'),
    codex.tokens(T0 + 4_000, { input: 5_000, cached: 3_000, output: 200 }),
  ]);
  let d = await scanLatest(s, id);
  assert.equal(d.tool, 'codex');
  assert.equal(d.project, s.project, 'a cwd below a project root belongs to it');
  assert.equal(d.branch, 'feature/codex');
  assert.equal(d.model, 'gpt-5-codex');
  assert.equal(d.prompts, 1);
  assert.deepEqual(d.tokens, { input: 2_000, output: 200, cached: 3_000 });

  writeLines(file, [codex.patch(T0 + 5_000, 'call_2'), codex.mcp(T0 + 6_000, 'call_3'), codex.tokens(T0 + 7_000, { input: 8_000, cached: 5_000, output: 350 }), codex.agent(T0 + 8_000)], { append: true });
  d = await scanLatest(s, id);
  assert.deepEqual(d.tokens, { input: 3_000, output: 350, cached: 5_000 }, 'cumulative totals are not added up');
  assert.deepEqual(d.toolCalls, { apply_patch: 1, 'linear/list_issues': 1, shell: 1 });
  assert.equal(d.toolCallsTotal, 3);
  assert.equal(d.activeMs, 8_000);
});

test('gemini: a session file rewritten in place is diffed against what was already counted', async (t) => {
  const s = await setup(t);
  const T0 = s.clock.now - 300_000;
  const file = gemini.path(s.roots.gemini, s.project, '2025-11-20T10-00-3f2a');
  const m1 = gemini.user('m1', T0);
  const m2 = gemini.reply('m2', T0 + 2_000, { input: 8_000, output: 150, cached: 2_000, thoughts: 50, tools: [{ id: 'read_file-1', name: 'read_file' }] });
  gemini.write(file, { sessionId: 'g-1', project: s.project, start: T0, messages: [m1, m2] });
  let d = await scanLatest(s, 'g-1');
  assert.equal(d.tool, 'gemini');
  assert.equal(d.project, s.project, 'matched by the SHA-256 of the project root');
  assert.equal(d.model, 'gemini-2.5-pro');
  assert.equal(d.prompts, 1);
  assert.deepEqual(d.tokens, { input: 6_000, output: 200, cached: 2_000 });

  const m3 = gemini.user('m3', T0 + 60_000);
  const m4 = gemini.reply('m4', T0 + 62_000, { input: 9_000, output: 100, cached: 8_000, tools: [{ id: 'glob-1', name: 'glob' }, { id: 'read_file-2', name: 'read_file' }] });
  gemini.write(file, { sessionId: 'g-1', project: s.project, start: T0, messages: [m1, m2, m3, m4] });
  d = await scanLatest(s, 'g-1');
  assert.equal(d.prompts, 2);
  assert.deepEqual(d.tokens, { input: 7_000, output: 300, cached: 10_000 });
  assert.deepEqual(d.toolCalls, { glob: 1, read_file: 2 });

  // Compressed history: earlier messages disappear from the file; what was counted stays.
  gemini.write(file, { sessionId: 'g-1', project: s.project, start: T0, messages: [m4] });
  const before = s.sessionEvents('updated', 'g-1').length;
  await s.api.scanNow();
  assert.equal(s.sessionEvents('updated', 'g-1').length, before, 'nothing new: no event');
  d = await scanLatest(s, 'g-1');
  assert.deepEqual(d.tokens, { input: 7_000, output: 300, cached: 10_000 });
});

test('qwen: usage, functionCall tools, and /quit ends the session (reason "transcript")', async (t) => {
  const s = await setup(t);
  const T0 = s.clock.now - 300_000;
  const o = { sessionId: 'q-7', cwd: s.project };
  writeLines(qwen.path(s.roots.qwen, s.project, 'q-7'), [
    qwen.user({ ...o, uuid: 'q1', ts: T0 }),
    qwen.assistant({ ...o, uuid: 'q2', ts: T0 + 3_000, usage: { prompt: 9_000, out: 120, cached: 4_000 }, call: { id: 'call_q1', name: 'read_file' } }),
    qwen.toolResult({ ...o, uuid: 'q3', ts: T0 + 4_000, callId: 'call_q1' }),
    qwen.telemetry({ ...o, uuid: 'q4', ts: T0 + 5_000 }),
    qwen.quit({ ...o, uuid: 'q5', ts: T0 + 10_000 }),
  ]);
  const d = await scanLatest(s, 'q-7', 'ended');
  assert.equal(d.reason, 'transcript');
  assert.equal(d.tool, 'qwen');
  assert.equal(d.branch, 'qwen-branch');
  assert.equal(d.prompts, 1);
  assert.deepEqual(d.tokens, { input: 5_000, output: 120, cached: 4_000 });
  assert.deepEqual(d.toolCalls, { read_file: 1 });
  assert.equal(d.lastActivityAt, T0 + 10_000);
  const ended = s.sessionEvents('ended', 'q-7')[0]!;
  assert.equal(ended.ts, T0 + 10_000, 'the event is dated at the session end');
  assert.equal(ended.project, s.project);
});

test('a truncated or replaced transcript is read again from the start without counting anything twice', async (t) => {
  const s = await setup(t);
  const T0 = s.clock.now - 300_000;
  const o = { sessionId: S1, cwd: s.project };
  const dir = claude.dir(s.roots.claude, s.project);
  const file = join(dir, `${S1}.jsonl`);
  const records = [
    claude.prompt({ ...o, ts: T0, uuid: 'u1' }),
    claude.assistant({ ...o, ts: T0 + 1_000, uuid: 'a1', msgId: 'msg_1', usage: { input: 100, output: 10 }, tool: { id: 't1', name: 'Bash' } }),
    claude.prompt({ ...o, ts: T0 + 2_000, uuid: 'u2' }),
    claude.assistant({ ...o, ts: T0 + 3_000, uuid: 'a2', msgId: 'msg_2', usage: { input: 200, output: 20 } }),
  ];
  writeLines(file, records);
  let d = await scanLatest(s, S1);
  assert.deepEqual([d.prompts, d.tokens.input, d.toolCallsTotal], [2, 300, 1]);

  // Replaced (new inode) by a copy with one more exchange.
  const tmp = join(dir, 'rewrite.tmp');
  writeLines(tmp, [...records, claude.prompt({ ...o, ts: T0 + 4_000, uuid: 'u3' }), claude.assistant({ ...o, ts: T0 + 5_000, uuid: 'a3', msgId: 'msg_3', usage: { input: 400, output: 40 } })]);
  renameSync(tmp, file);
  d = await scanLatest(s, S1);
  assert.deepEqual([d.prompts, d.tokens.input, d.tokens.output, d.toolCallsTotal], [3, 700, 70, 1]);
  assert.equal(d.activeMs, 5_000);

  // Truncated and rewritten shorter.
  writeFileSync(file, `${JSON.stringify(records[0])}\n`);
  d = await scanLatest(s, S1);
  assert.deepEqual([d.prompts, d.tokens.input, d.toolCallsTotal], [3, 700, 1], 'nothing lost, nothing doubled');
  appendFileSync(file, `${JSON.stringify(claude.prompt({ ...o, ts: T0 + 9_000, uuid: 'u9' }))}\n`);
  d = await scanLatest(s, S1);
  assert.equal(d.prompts, 4, 'and it goes on from the new end');
});

test('gemini: a session file caught half-written is read again and counted once it is whole, without a warning', async (t) => {
  const s = await setup(t);
  const T0 = s.clock.now - 60_000;
  const file = gemini.path(s.roots.gemini, s.project, 'midwrite');
  gemini.write(file, { sessionId: 'g-mid', project: s.project, start: T0, messages: [gemini.user('m1', T0), gemini.reply('m2', T0 + 1_000, { input: 100, output: 10, cached: 0 })] });
  const whole = readFileSync(file, 'utf8');
  writeFileSync(file, whole.slice(0, whole.length / 2));
  await s.api.scanNow();
  assert.equal(s.sessionEvents('updated', 'g-mid').length, 0);
  writeFileSync(file, whole);
  const d = await scanLatest(s, 'g-mid');
  assert.deepEqual([d.prompts, d.tokens.input], [1, 100]);
  assert.equal(s.tk.logs.filter((l) => l.level === 40).length, 0);
});
