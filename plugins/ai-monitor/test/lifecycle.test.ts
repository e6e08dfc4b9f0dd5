// Session events over time (throttle, idle end, resume), restarts, and bad input.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Kernel } from '@devflow/core';
import { createAiMonitor, type AiMonitorApi } from '../src/plugin.js';
import type { Summary } from '../src/summary.js';
import { SECRET, claude, gemini, writeLines } from './fixtures.js';
import { scanLatest, setup, tempDir } from './helpers.js';

const S = '9d8c7b6a-5f4e-4d3c-8b2a-1a0f9e8d7c6b';

test('session.updated is throttled per session; session.ended follows an idle timeout; a resumed session reopens', async (t) => {
  const s = await setup(t, { config: { updateThrottleMs: 30_000, sessionIdleMs: 60_000 } });
  const o = { sessionId: S, cwd: s.project };
  const file = join(claude.dir(s.roots.claude, s.project), `${S}.jsonl`);
  const T0 = s.clock.now - 20_000;
  writeLines(file, [claude.prompt({ ...o, ts: T0, uuid: 'u1' })]);
  await s.api.scanNow();
  assert.equal(s.sessionEvents('updated', S).length, 1);

  s.clock.now += 10_000;
  writeLines(file, [claude.prompt({ ...o, ts: T0 + 25_000, uuid: 'u2' })], { append: true });
  await s.api.scanNow();
  assert.equal(s.sessionEvents('updated', S).length, 1, 'within 30 s of the last one: held back');

  s.clock.now += 21_000;
  await s.api.scanNow();
  const updated = s.sessionEvents('updated', S);
  assert.equal(updated.length, 2, 'the held-back update goes out once the throttle allows');
  assert.equal(updated[1]!.data.prompts, 2);
  await s.api.scanNow();
  assert.equal(s.sessionEvents('updated', S).length, 2, 'nothing changed: nothing emitted');

  s.clock.now = T0 + 25_000 + 60_000;
  await s.api.scanNow();
  const ended = s.sessionEvents('ended', S);
  assert.equal(ended.length, 1);
  assert.equal(ended[0]!.data.reason, 'idle');
  assert.equal(ended[0]!.data.prompts, 2);
  assert.equal(ended[0]!.ts, T0 + 25_000);
  await s.api.scanNow();
  assert.equal(s.sessionEvents('ended', S).length, 1, 'ended once');

  // The person comes back to the same session.
  writeLines(file, [claude.prompt({ ...o, ts: s.clock.now, uuid: 'u3' })], { append: true });
  await s.api.scanNow();
  assert.equal(s.sessionEvents('updated', S).length, 3);
  assert.equal(s.sessionEvents('updated', S)[2]!.data.prompts, 3);
  s.clock.now += 60_000;
  await s.api.scanNow();
  assert.equal(s.sessionEvents('ended', S).length, 2, 'and it ends again later');
  assert.equal(s.sessionEvents('ended', S)[1]!.data.activeMs, 25_000 + 60_000, 'the 60 s gap is capped at activeGapCapMs (5 min) and counts');
});

test('a restart continues from the stored offsets and totals: nothing is counted twice', async (t) => {
  const dir = tempDir(t);
  const project = join(dir, 'app');
  mkdirSync(project);
  const root = join(dir, 'claude');
  const db = join(dir, 'devflow.db');
  const open = () =>
    Kernel.open({
      config: {
        projects: [project],
        plugins: { 'ai-monitor': { config: { sources: { claude: { paths: [root] }, codex: { enabled: false }, gemini: { enabled: false }, qwen: { enabled: false } }, processes: { enabled: false }, pollIntervalMs: 600_000, scanIntervalMs: 600_000 } } },
        kernel: { watchConfig: false },
      },
      plugins: [createAiMonitor()],
      databasePath: db,
      cwd: dir,
      env: { ...process.env, DEVFLOW_HOME: dir },
      logLevel: 'silent',
      watchConfig: false,
    });
  const summary = async (k: Kernel) => {
    const r = await k.callTool('ai_sessions_summary', { since: '1d' }, k.localPrincipal);
    assert.ok(r.ok, JSON.stringify(r));
    return (r.value as Summary).totals;
  };
  const o = { sessionId: S, cwd: project };
  const file = join(claude.dir(root, project), `${S}.jsonl`);
  const T0 = Date.now() - 60_000;
  writeLines(file, [claude.prompt({ ...o, ts: T0, uuid: 'u1' }), claude.assistant({ ...o, ts: T0 + 1_000, uuid: 'a1', msgId: 'm1', usage: { input: 100, output: 10 }, tool: { id: 't1', name: 'Edit' } })]);

  const k1 = open();
  await k1.start();
  await (k1.pluginApi('ai-monitor') as AiMonitorApi).scanNow();
  assert.deepEqual(await summary(k1), { sessions: 1, activeMinutes: 0, prompts: 1, tokens: { input: 100, output: 10, cached: 0 }, toolCalls: 1 });
  await k1.stop();

  writeLines(file, [claude.prompt({ ...o, ts: T0 + 2_000, uuid: 'u2' }), claude.assistant({ ...o, ts: T0 + 3_000, uuid: 'a2', msgId: 'm2', usage: { input: 50, output: 5 } })], { append: true });
  const k2 = open();
  t.after(() => k2.stop());
  await k2.start();
  const api2 = k2.pluginApi('ai-monitor') as AiMonitorApi;
  await api2.scanNow();
  assert.equal(api2.stats()?.records, 2, 'only the two appended records were read');
  assert.deepEqual(await summary(k2), { sessions: 1, activeMinutes: 0.1, prompts: 2, tokens: { input: 150, output: 15, cached: 0 }, toolCalls: 1 });
});

test('garbage lines, unknown record types and broken files: counted what is readable, warned once per file per minute, kept running', async (t) => {
  const s = await setup(t);
  const o = { sessionId: S, cwd: s.project };
  const file = join(claude.dir(s.roots.claude, s.project), `${S}.jsonl`);
  const T0 = s.clock.now - 60_000;
  writeLines(file, [
    claude.prompt({ ...o, ts: T0, uuid: 'u1' }),
    `this is not json ${SECRET}`,
    '{"type": "assistant", "message": ',
    { type: 'assistant', sessionId: S, timestamp: new Date(T0).toISOString(), note: SECRET },
    { type: 'holo-record', version: '99.0.0', sessionId: S, payload: SECRET },
    claude.prompt({ ...o, ts: T0 + 1_000, uuid: 'u2' }),
  ]);
  appendFileSync(file, Buffer.from([0xff, 0xfe, 0x00, 0x0a]));
  const d = await scanLatest(s, S);
  assert.equal(d.prompts, 2, 'the readable records count');
  const warns = () => s.tk.logs.filter((l) => l.level === 40 && l.plugin === 'ai-monitor' && l.path === file);
  assert.equal(warns().length, 1);
  assert.equal(warns()[0]!.code, 'AI_MONITOR_BAD_INPUT');
  assert.equal(warns()[0]!.skipped, 4, 'three broken lines and the binary one; the unknown type is ignored quietly');
  assert.match(String(warns()[0]!.msg), new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*sources\\.claude\\.enabled`));

  // More garbage within the minute: no new warning line, but it is counted for the next one.
  for (let i = 0; i < 5; i++) {
    appendFileSync(file, `garbage ${i}\n`);
    s.clock.now += 1_000;
    await s.api.scanNow();
  }
  assert.equal(warns().length, 1, 'rate-limited');
  s.clock.now += 60_000;
  appendFileSync(file, 'more garbage\n');
  await s.api.scanNow();
  assert.equal(warns().length, 2);
  assert.equal(warns()[1]!.suppressed, 5);
  assert.equal(warns()[1]!.totalSkipped, 10);

  // A Gemini file that is not a session, and one that is not JSON: a warning each, nothing counted.
  const g1 = gemini.path(s.roots.gemini, s.project, 'broken');
  mkdirSync(join(g1, '..'), { recursive: true });
  writeFileSync(g1, `{"messages": [ {"type": "user", "content": "${SECRET}"`);
  const g2 = gemini.path(s.roots.gemini, s.project, 'other');
  writeFileSync(g2, JSON.stringify({ version: 7, turns: [] }));
  await s.api.scanNow();
  assert.equal(s.tk.logs.filter((l) => l.level === 40 && l.path === g1).length, 0, 'a half-written file is read again before anyone is told');
  await s.api.pollNow();
  const gw = s.tk.logs.filter((l) => l.level === 40 && (l.path === g1 || l.path === g2));
  assert.equal(gw.length, 2);
  assert.ok(gw.some((l) => /not valid JSON/.test(String(l.msg))));
  await s.api.pollNow();
  assert.equal(s.tk.logs.filter((l) => l.level === 40 && (l.path === g1 || l.path === g2)).length, 2, 'unchanged broken files are not read (or reported) again');
  assert.ok(gw.some((l) => /unknown Gemini CLI format/.test(String(l.msg))));
  assert.ok(!JSON.stringify(s.tk.logs).includes(SECRET), 'warnings never quote the bad input');

  // Still running: new good records are read.
  appendFileSync(file, `${JSON.stringify(claude.prompt({ ...o, ts: T0 + 2_000, uuid: 'u3' }))}\n`);
  assert.equal((await scanLatest(s, S)).prompts, 3);
  assert.equal(s.tk.kernel.status().plugins.find((p) => p.id === 'ai-monitor')?.state, 'started');
});

test('a backlog larger than the per-poll budget is read over several polls, every record once', async (t) => {
  const s = await setup(t, { config: { pollBudgetBytes: 65_536 } });
  const o = { sessionId: S, cwd: s.project };
  const T0 = s.clock.now - 3_600_000;
  const records = Array.from({ length: 400 }, (_, i) =>
    i % 2 ? claude.assistant({ ...o, ts: T0 + i * 1_000, uuid: `a${i}`, msgId: `m${i}`, usage: { input: 10, output: 1 } }) : claude.prompt({ ...o, ts: T0 + i * 1_000, uuid: `u${i}` }),
  );
  writeLines(join(claude.dir(s.roots.claude, s.project), `${S}.jsonl`), records);
  const first = await s.api.scanNow();
  assert.ok(first && first.records > 0 && first.records < 400, `the first poll stops at the budget (${first?.records} records)`);
  let polls = 1;
  while ((s.api.stats()?.records ?? 0) < 400 && polls < 50) (await s.api.pollNow(), polls++);
  assert.equal(s.api.stats()?.records, 400);
  assert.ok(polls > 2);
  const d = await scanLatest(s, S, 'ended');
  assert.equal(s.sessionEvents('ended', S).length, 1, 'the old session ends once, with its whole totals, not once per partial read');
  assert.equal(s.sessionEvents('updated', S).length, 0);
  assert.equal(d.prompts, 200);
  assert.equal(d.tokens.input, 2_000);
});

test('the timers alone pick up new transcripts and appends (no manual scan)', async (t) => {
  const s = await setup(t, { config: { pollIntervalMs: 100, scanIntervalMs: 300 } });
  const o = { sessionId: S, cwd: s.project };
  const file = join(claude.dir(s.roots.claude, s.project), `${S}.jsonl`);
  writeLines(file, [claude.prompt({ ...o, ts: s.clock.now - 5_000, uuid: 'u1' })]);
  await s.tk.waitForEvent((e) => e.type === 'ai-monitor.session.updated' && (e.data as { prompts: number }).prompts === 1, 5_000);
  writeLines(file, [claude.prompt({ ...o, ts: s.clock.now - 4_000, uuid: 'u2' })], { append: true });
  await s.tk.waitForEvent((e) => e.type === 'ai-monitor.session.updated' && (e.data as { prompts: number }).prompts === 2, 5_000);
  // A new session next to an active one is found by the quick poll of its directory.
  const other = '0a0b0c0d-1111-4222-8333-444455556666';
  writeLines(join(claude.dir(s.roots.claude, s.project), `${other}.jsonl`), [claude.prompt({ sessionId: other, cwd: s.project, ts: s.clock.now - 3_000, uuid: 'x1' })]);
  await s.tk.waitForEvent((e) => e.type === 'ai-monitor.session.updated' && (e.data as { sessionId: string }).sessionId === other, 5_000);
});
