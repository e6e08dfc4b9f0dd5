import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { definePlugin } from '@devflow/plugin-sdk';
import { attribute, commitTime, trailerTools, type SessionSpan } from '../src/attribution.js';
import type { Summary } from '../src/summary.js';
import { claude, codex, writeLines } from './fixtures.js';
import { setup } from './helpers.js';

test('trailerTools reads AI co-author trailers in any shape and "Generated with" footers', () => {
  assert.deepEqual(trailerTools(['Co-Authored-By: Claude <noreply@anthropic.com>']), ['claude']);
  assert.deepEqual(trailerTools([{ key: 'Co-authored-by', value: 'Copilot <175728472+Copilot@users.noreply.github.com>' }]), ['copilot']);
  assert.deepEqual(trailerTools({ 'Co-authored-by': ['Jane Doe <jane@example.com>', 'Cursor Agent <cursoragent@cursor.com>'] }), ['cursor']);
  assert.deepEqual(trailerTools('Reviewed-by: Claude Shannon <c@example.com>\nSigned-off-by: Codex Fan <f@example.com>'), [], 'only AI-authorship trailer keys count');
  assert.deepEqual(trailerTools([], ['Fix login\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)']), ['claude']);
  assert.deepEqual(trailerTools(['Co-authored-by: gemini-code-assist[bot] <x@google.com>'], ['Generated with Qwen Code']), ['gemini', 'qwen']);
  assert.deepEqual(trailerTools(undefined, [undefined, 42]), []);
});

test('attribute: trailer, session overlap (near or within the window), both; other projects and other times do not count', () => {
  const at = Date.parse('2025-11-20T12:00:00Z');
  const span = (o: Partial<SessionSpan>): SessionSpan => ({ tool: 'claude', sessionId: 's', project: '/p', cwd: '/p', startedAt: at - 3_600_000, lastAt: at - 60_000, ...o });
  const c = { repo: '/p', project: '/p', ts: at, trailerTools: [] as string[] };
  const W = 1_800_000;
  assert.equal(attribute(c, [], W), null);
  assert.deepEqual(attribute({ ...c, trailerTools: ['claude'] }, [], W), { tools: ['claude'], evidence: ['trailer'], confidence: 0.9, sessions: [] });
  assert.deepEqual(attribute(c, [span({})], W), { tools: ['claude'], evidence: ['session-overlap'], confidence: 0.7, sessions: ['claude:s'] });
  assert.equal(attribute(c, [span({ lastAt: at - 20 * 60_000 })], W)?.confidence, 0.5, 'active within the window, not just before');
  assert.deepEqual(attribute({ ...c, trailerTools: ['claude'] }, [span({ tool: 'codex', sessionId: 'x' })], W), { tools: ['claude', 'codex'], evidence: ['trailer', 'session-overlap'], confidence: 0.97, sessions: ['codex:x'] });
  assert.equal(attribute(c, [span({ project: '/other', cwd: '/other' })], W), null, 'another project');
  assert.equal(attribute({ ...c, project: null }, [span({ project: null, cwd: '/p/sub' })], W)?.evidence[0], 'session-overlap', 'a session inside the repository');
  assert.equal(attribute(c, [span({ lastAt: at - 40 * 60_000 })], W), null, 'idle since before the window');
  assert.equal(attribute(c, [span({ startedAt: at + 600_000, lastAt: at + 900_000 })], W), null, 'started after the commit');
  assert.equal(commitTime({ authoredAt: '2025-11-20T11:00:00Z' }, 0), Date.parse('2025-11-20T11:00:00Z'));
  assert.equal(commitTime({ authoredAt: 1_763_636_400 }, 0), 1_763_636_400_000, 'seconds');
  assert.equal(commitTime({ committedAt: 1_763_636_400_000, authoredAt: 5 }, 0), 1_763_636_400_000);
  assert.equal(commitTime({}, 77), 77);
});

// Stands in for git-monitor: the same id, commits on demand, and one commit already during its start.
const early: { project?: string } = {};
const fakeGit = definePlugin({
  id: 'git-monitor',
  version: '1.0.0',
  kernel: '^1.0.0',
  start(ctx) {
    if (early.project) void ctx.events.emit('git-monitor.commit.created', { repo: early.project, hash: 'e0', subject: 'early', trailers: ['Co-Authored-By: Claude <noreply@anthropic.com>'], files: [] }, { project: early.project });
    return {
      commit: (data: Record<string, unknown>, project: string | null, ts?: number) => ctx.events.emit('git-monitor.commit.created', data, { project, ...(ts ? { ts } : {}) }),
    };
  },
});

test('commits from git-monitor are attributed by trailer and by session overlap, once each; ai_sessions_summary counts them', async (t) => {
  const dir = (await import('./helpers.js')).tempDir(t);
  early.project = join(dir, 'app');
  const s = await setup(t, { dir, plugins: [fakeGit] });
  early.project = undefined;
  const git = s.tk.use(fakeGit);
  const attributed = () => s.tk.events.filter((e) => e.type === 'ai-monitor.commit.attributed');
  const first = await s.tk.waitForEvent((e) => e.type === 'ai-monitor.commit.attributed');
  assert.equal((first.data as { hash: string }).hash, 'e0', 'a commit reported before ai-monitor listened is caught up');

  // A Claude session in the project, active until two minutes before the commit.
  const commitAt = s.clock.now;
  const S = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
  writeLines(join(claude.dir(s.roots.claude, s.project), `${S}.jsonl`), [
    claude.prompt({ sessionId: S, cwd: s.project, ts: commitAt - 600_000, uuid: 'u1' }),
    claude.assistant({ sessionId: S, cwd: s.project, ts: commitAt - 120_000, uuid: 'a1', msgId: 'm1', usage: { input: 10, output: 5 }, tool: { id: 't1', name: 'Edit' } }),
  ]);
  // The commit event arrives before any scan: the listener reads the transcripts first.
  await git.commit({ repo: s.project, hash: 'a1b2c3', subject: 'Fix login', trailers: [], authoredAt: new Date(commitAt).toISOString(), files: [{ path: 'src/a.ts', added: 3, removed: 1 }] }, s.project);
  const overlap = await s.tk.waitForEvent((e) => e.type === 'ai-monitor.commit.attributed' && (e.data as { hash: string }).hash === 'a1b2c3');
  assert.deepEqual(overlap.data, { hash: 'a1b2c3', repo: s.project, tools: ['claude'], evidence: ['session-overlap'], confidence: 0.7, sessions: [`claude:${S}`] });
  assert.equal(overlap.project, s.project);

  // Trailer and session together; then the same commit again (e.g. a rescan): no second event.
  const both = { repo: s.project, hash: 'd4e5f6', subject: 'Add tests', trailers: { 'Co-authored-by': 'Claude <noreply@anthropic.com>' }, authoredAt: commitAt, files: [] };
  await git.commit(both, s.project);
  await s.tk.waitForEvent((e) => (e.data as { hash?: string }).hash === 'd4e5f6');
  await git.commit(both, s.project);
  // Not AI: another repository, no trailer, no session there.
  await git.commit({ repo: join(s.dir, 'other'), hash: 'ffffff', subject: 'Manual', trailers: ['Signed-off-by: Me <me@example.com>'], files: [] }, null);
  await s.api.scanNow();
  s.tk.flush();
  assert.deepEqual(attributed().map((e) => [(e.data as { hash: string }).hash, (e.data as { confidence: number }).confidence]), [
    ['e0', 0.9],
    ['a1b2c3', 0.7],
    ['d4e5f6', 0.97],
  ]);

  const r = await s.tk.callTool('ai_sessions_summary', { since: '1h', project: s.project });
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual((r.value as Summary).aiCommits, { total: 3, byTool: [{ tool: 'claude', commits: 3 }] });
});

test('ai_sessions_summary groups by tool and main model, filters by since, project and tool, and is read-only for viewers', async (t) => {
  const s = await setup(t);
  const now = s.clock.now;
  const elsewhere = join(s.dir, 'elsewhere');
  const cs = (id: string, cwd: string, ts: number, model: string, tools: string[]) => {
    const o = { sessionId: id, cwd };
    writeLines(join(claude.dir(s.roots.claude, cwd), `${id}.jsonl`), [
      claude.prompt({ ...o, ts, uuid: `${id}-u` }),
      ...tools.map((name, i) => claude.assistant({ ...o, ts: ts + 60_000 * (i + 1), uuid: `${id}-a${i}`, msgId: `${id}-m${i}`, model, usage: { input: 100, output: 10, cacheRead: 1000 }, tool: { id: `${id}-t${i}`, name } })),
    ]);
  };
  cs('c1', s.project, now - 1_800_000, 'claude-sonnet-4-5', ['Edit', 'Edit', 'Bash']);
  cs('c2', s.project, now - 900_000, 'claude-sonnet-4-5', ['mcp__github__create_issue']);
  cs('c3', elsewhere, now - 600_000, 'claude-opus-4-1', ['Read']);
  cs('c4', s.project, now - 3 * 86_400_000, 'claude-sonnet-4-5', ['Read']);
  const id = '0199a213-81c0-7800-8aa1-bbab2a035a99';
  writeLines(codex.path(s.roots.codex, now - 600_000, id), [codex.meta(now - 600_000, id, s.project), codex.turn(now - 600_000, s.project), ...codex.prompt(now - 590_000), ...codex.shell(now - 580_000, 'k1'), codex.tokens(now - 570_000, { input: 1000, cached: 400, output: 50 })]);
  await s.api.scanNow();

  const call = async (args: Record<string, unknown>) => {
    const r = await s.tk.callTool('ai_sessions_summary', args);
    assert.ok(r.ok, JSON.stringify(r));
    return r.value as Summary;
  };
  const all = await call({ since: '1d' });
  assert.deepEqual(
    all.rows.map((r) => [r.tool, r.model, r.sessions, r.activeMinutes, r.prompts, r.toolCalls]),
    [
      ['claude', 'claude-sonnet-4-5', 2, 4, 2, 4],
      ['claude', 'claude-opus-4-1', 1, 1, 1, 1],
      ['codex', 'gpt-5-codex', 1, 0.5, 1, 1],
    ],
  );
  assert.deepEqual(all.rows[0]!.tokens, { input: 400, output: 40, cached: 4000 });
  assert.deepEqual(all.rows[0]!.topTools, [
    { name: 'Edit', count: 2 },
    { name: 'Bash', count: 1 },
    { name: 'github/create_issue', count: 1 },
  ]);
  assert.equal(all.totals.sessions, 4);
  assert.equal(all.truncated, false);

  const proj = await call({ since: '1d', project: `${s.project}/` });
  assert.equal(proj.totals.sessions, 3, 'the session elsewhere is out');
  assert.equal((await call({ since: '7d', project: s.project })).totals.sessions, 4, 'the 3-day-old session is in a 7-day window');
  assert.deepEqual((await call({ since: '1d', tool: 'codex' })).rows.map((r) => r.tool), ['codex']);
  assert.equal((await call({ since: '1d', topTools: 1 })).rows[0]!.topTools.length, 1);

  const bad = await s.tk.callTool('ai_sessions_summary', { since: 'last tuesday-ish' });
  assert.equal(bad.ok, false);
  assert.ok((await s.tk.as('viewer').callTool('ai_sessions_summary', {})).ok, 'viewers read it');
  const guest = await s.tk.as('guest').callTool('ai_sessions_summary', {});
  assert.equal(guest.ok ? '' : guest.error.code, 'KRN_ERR_FORBIDDEN');
  const info = s.tk.kernel.tools.list().find((x) => x.name === 'ai_sessions_summary');
  assert.deepEqual([info?.group, info?.everyday, info?.permission], ['ai', true, 'ai:read']);
});
