// Transcripts hold prompts, file contents and secrets: none of it may reach the database or the log.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { SECRET, claude, codex, gemini, qwen, writeLines } from './fixtures.js';
import { setup } from './helpers.js';

function postJson(port: number, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

test('a secret in prompts, responses, tool inputs and results of every format (and in OTLP logs) appears nowhere in the database bytes or the log', async (t) => {
  const s = await setup(t, { config: { otlp: { enabled: true, port: 0 }, sessionIdleMs: 60_000 } });
  const T0 = s.clock.now - 120_000;
  const cwd = s.project;

  const c = { sessionId: 'c-secret', cwd };
  writeLines(join(claude.dir(s.roots.claude, cwd), 'c-secret.jsonl'), [
    claude.summary(),
    claude.prompt({ ...c, ts: T0, uuid: 'u1' }),
    claude.assistant({ ...c, ts: T0 + 1_000, uuid: 'a1', msgId: 'm1', usage: { input: 1, output: 1 } }),
    claude.assistant({ ...c, ts: T0 + 2_000, uuid: 'a2', msgId: 'm2', usage: { input: 1, output: 1 }, tool: { id: 't1', name: 'Bash' } }),
    claude.toolResult({ ...c, ts: T0 + 3_000, uuid: 'u2', toolUseId: 't1' }),
    `not json but a secret: ${SECRET}`,
    { type: `unknown-${SECRET}`, sessionId: 'c-secret', data: SECRET },
  ]);
  const id = '0199a213-81c0-7800-8aa1-bbab2a0ecret';
  writeLines(codex.path(s.roots.codex, T0, id), [
    codex.meta(T0, id, cwd),
    codex.envContext(T0, cwd),
    ...codex.prompt(T0 + 1_000),
    codex.turn(T0 + 1_000, cwd),
    codex.reasoning(T0 + 1_500),
    ...codex.shell(T0 + 2_000, 'call_1'),
    codex.patch(T0 + 2_500, 'call_2'),
    codex.mcp(T0 + 2_600, 'call_3'),
    codex.tokens(T0 + 3_000, { input: 10, cached: 0, output: 1 }),
    codex.agent(T0 + 4_000),
  ]);
  gemini.write(gemini.path(s.roots.gemini, cwd, 'secret'), {
    sessionId: 'g-secret',
    project: cwd,
    start: T0,
    messages: [gemini.user('m1', T0), gemini.reply('m2', T0 + 1_000, { input: 10, output: 1, cached: 0, tools: [{ id: 'rf-1', name: 'read_file' }] })],
  });
  const q = { sessionId: 'q-secret', cwd };
  writeLines(qwen.path(s.roots.qwen, cwd, 'q-secret'), [
    qwen.user({ ...q, uuid: 'q1', ts: T0 }),
    qwen.assistant({ ...q, uuid: 'q2', ts: T0 + 1_000, usage: { prompt: 10, out: 1, cached: 0 }, call: { id: 'k1', name: 'read_file' } }),
    qwen.toolResult({ ...q, uuid: 'q3', ts: T0 + 2_000, callId: 'k1' }),
    qwen.telemetry({ ...q, uuid: 'q4', ts: T0 + 3_000 }),
  ]);
  await s.api.scanNow();
  s.clock.now += 120_000;
  await s.api.scanNow(); // every session ends: the final totals are emitted too

  const deadline = Date.now() + 5_000;
  while (s.api.otlpPort() === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const port = s.api.otlpPort()!;
  const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const logs = {
    resourceLogs: [
      {
        resource: { attributes: [str('service.name', 'claude-code')] },
        scopeLogs: [
          {
            logRecords: [
              { body: { stringValue: SECRET }, attributes: [str('event.name', 'user_prompt'), str('prompt', SECRET), str('user_text', SECRET), str('message_content', SECRET), str('response_body', SECRET), str('session.id', SECRET)] },
              { attributes: [str('event.name', 'tool_result'), str('tool_name', 'Bash'), str('tool_parameters', JSON.stringify({ command: SECRET })), str('model', SECRET.repeat(5))] },
            ],
          },
        ],
      },
    ],
  };
  assert.equal(await postJson(port, '/v1/logs', logs), 200);
  await s.tk.waitForEvent((e) => e.type === 'ai-monitor.otlp.logs-received');
  s.tk.flush();

  const ended = s.tk.events.filter((e) => e.type === 'ai-monitor.session.ended').map((e) => (e.data as { tool: string }).tool).sort();
  assert.deepEqual(ended, ['claude', 'codex', 'gemini', 'qwen'], 'every format was read');

  const db = s.tk.kernel.databasePath;
  const needle = Buffer.from(SECRET);
  for (const file of [db, `${db}-wal`, `${db}-shm`]) {
    if (!existsSync(file)) continue;
    const bytes = readFileSync(file);
    const at = bytes.indexOf(needle);
    assert.equal(at, -1, `${file} holds the secret near: ${JSON.stringify(bytes.subarray(Math.max(0, at - 160), at).toString('latin1'))}`);
  }
  assert.ok(readFileSync(db).length + (existsSync(`${db}-wal`) ? readFileSync(`${db}-wal`).length : 0) > 0);
  assert.ok(!JSON.stringify(s.tk.logs).includes(SECRET), 'the log holds the secret');
  assert.ok(!JSON.stringify(s.tk.events).includes(SECRET), 'an event holds the secret');
});
