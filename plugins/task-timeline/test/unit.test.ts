// The pure modules alone: issue keys and task keys, event time, narrative and summaries, paths,
// the byte budget, and the projection version.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addActivity, addEdits, assistantLabel, branchName, clipPath, commitNarrative, commonDir, countEntry, cutBytes, editSummary, eventTime, FUTURE_TOLERANCE_MS,
  IssueKeys, joinAnd, newProject, newTask, overlapShare, projectionVersion, recordedAt, renderContext, runSummary, sessionSummary, setStage, widenTask,
} from '../src/index.js';

test('task keys: the issue key in a branch name, else the branch; look-alikes and prefixes', () => {
  const k = new IssueKeys();
  assert.equal(k.taskOf('feature/PROJ-123-login'), 'PROJ-123');
  assert.equal(k.taskOf('feature/proj-123-login'), 'PROJ-123');
  assert.equal(k.taskOf('PROJ-9'), 'PROJ-9');
  assert.equal(k.taskOf('ops_42_retry'), 'ops_42_retry', 'KEY-n needs the dash');
  assert.equal(k.taskOf('fix/utf-8-decoding'), 'fix/utf-8-decoding');
  assert.equal(k.taskOf('bump/sha-256'), 'bump/sha-256');
  assert.equal(k.taskOf('main'), 'main');
  assert.equal(k.find('Fixes ABC-7 and XYZ-8'), 'ABC-7');
  assert.ok(k.isKey('PROJ-123') && !k.isKey('proj-123') && !k.isKey('UTF-8'));
  const only = new IssueKeys(['ops']);
  assert.equal(only.taskOf('feature/PROJ-1-x'), 'feature/PROJ-1-x');
  assert.equal(only.taskOf('ops-7-retry'), 'OPS-7');
});

test('branch names: detached markers, refs/heads and odd values are not branches', () => {
  assert.equal(branchName('refs/heads/main'), 'main');
  assert.equal(branchName('detached@abc1234'), null);
  assert.equal(branchName('HEAD'), null);
  assert.equal(branchName(''), null);
  assert.equal(branchName(42), null);
  assert.equal(branchName('x'.repeat(301)), null);
});

test('event time: past and near-future times kept; far-future and pre-2000 ones replaced by the recording time', () => {
  const id = '01a20365-5b6d-7a50-a84f-d0565866686b';
  const rec = recordedAt(id) as number;
  assert.equal(rec, parseInt('01a203655b6d', 16));
  assert.equal(eventTime({ id, ts: rec - 86_400_000 }), rec - 86_400_000);
  assert.equal(eventTime({ id, ts: rec + FUTURE_TOLERANCE_MS }), rec + FUTURE_TOLERANCE_MS);
  assert.equal(eventTime({ id, ts: rec + FUTURE_TOLERANCE_MS + 1 }), rec);
  assert.equal(eventTime({ id, ts: 5 }), rec);
  assert.equal(eventTime({ id, ts: Number.NaN }), rec);
  assert.equal(recordedAt('not-a-uuid'), null);
  assert.equal(recordedAt(id.replace(/-/g, '')), rec, 'dashes are optional');
  assert.equal(eventTime({ id: id.replace(/-/g, ''), ts: rec + FUTURE_TOLERANCE_MS + 1 }), rec);
  assert.equal(eventTime({ id: '01a2-0365-5b6d-7a50-a84f-d0565866686b', ts: rec + FUTURE_TOLERANCE_MS + 1 }), rec, 'odd dashes: the slow path decides');
  assert.equal(eventTime({ id: id.toUpperCase(), ts: rec + FUTURE_TOLERANCE_MS + 1 }), rec);
  assert.equal(eventTime({ id: 'x', ts: Date.UTC(2026, 0, 1) }), Date.UTC(2026, 0, 1));
});

test('commit narrative: AI share, red runs, sessions by assistant, issue key', () => {
  const base = { hash: 'abc1234def', aiShare: 0.7, aiSource: 'attribution' as const, redRuns: 3, sessions: { claude: 2 }, issue: 'PROJ-123' };
  assert.equal(commitNarrative(base), 'commit abc1234: 70% AI-assisted, after 3 red test runs and 2 Claude sessions, PROJ-123');
  assert.equal(commitNarrative({ ...base, redRuns: 1, sessions: { codex: 1, claude: 2 } }), 'commit abc1234: 70% AI-assisted, after 1 red test run, 2 Claude sessions and 1 Codex session, PROJ-123');
  assert.equal(commitNarrative({ ...base, aiShare: 0.391, aiSource: 'session-overlap', redRuns: 0, sessions: {}, issue: null }), 'commit abc1234: ~39% AI-assisted');
  assert.equal(commitNarrative({ ...base, aiShare: null, aiSource: null, redRuns: 0, sessions: {} }), 'commit abc1234: no AI assistance seen, PROJ-123');
  assert.equal(overlapShare(18, 46, 2), 0.39);
  assert.equal(overlapShare(100, 10, 1), 0.9);
  assert.equal(overlapShare(5, 0, 1), 0.5);
  assert.equal(overlapShare(5, 10, 0), null);
  assert.equal(joinAnd(['a', 'b', 'c']), 'a, b and c');
  assert.equal(assistantLabel('mystery-tool'), 'Mystery-tool');
});

test('summaries of edits, sessions and runs', () => {
  assert.equal(editSummary({ edits: 12, files: 5, dir: 'src/api', file: null, added: 0, removed: 0 }), '12 edits to 5 files in src/api');
  assert.equal(editSummary({ edits: 1, files: 1, dir: 'src', file: 'src/a.ts', added: 0, removed: 0 }), '1 edit to src/a.ts');
  assert.equal(editSummary({ edits: 2, files: 2, dir: '', file: null, added: 0, removed: 0 }), '2 edits to 2 files');
  assert.equal(sessionSummary({ tool: 'claude', activeMs: 25 * 60_000, prompts: 1, toolCalls: 3, ended: false }), 'Claude session: 25m active, 1 prompt, 3 tool calls (ongoing)');
  const run = { kind: 'build' as const, ok: false, passed: null, failed: null, durationMs: 42_000, exitCode: 2, failing: [], command: null };
  assert.equal(runSummary(run), 'build failed (exit 2) in 42s');
  assert.equal(runSummary({ ...run, kind: 'run', ok: true, exitCode: 0, command: 'npm run lint' }), 'ran npm run lint ok in 42s');
  assert.equal(runSummary({ ...run, kind: 'test', ok: true, passed: null }), 'tests green in 42s');
});

test('paths: common directory, left clipping, byte cuts that keep characters whole', () => {
  assert.equal(commonDir(null, 'src/api/a.ts'), 'src/api');
  assert.equal(commonDir('src/api', 'src/api/b/c.ts'), 'src/api');
  assert.equal(commonDir('src/api', 'lib/x.ts'), '');
  assert.equal(commonDir(null, 'README.md'), '');
  assert.equal(commonDir('src/api', 'src/apix/a.ts'), 'src', 'segments, not characters');
  assert.equal(commonDir('src', 'src/api/a.ts'), 'src');
  assert.equal(commonDir('', 'src/a.ts'), '');
  assert.equal(commonDir('src/api', 'src/a.ts'), 'src');
  const p = clipPath(`src/${'d/'.repeat(100)}file.ts`, 30);
  assert.ok(p.length <= 30 && p.startsWith('…') && p.endsWith('/file.ts'), p);
  const cut = cutBytes('é'.repeat(1000), 101);
  assert.ok(Buffer.byteLength(cut) <= 101 && cut.endsWith('…') && !cut.includes('\uFFFD'));
});

test('the context text is bounded whatever the view holds', () => {
  const huge = 'x'.repeat(10_000);
  const text = renderContext({
    project: huge, branch: huge, task: huge, stage: { name: huge, subStage: huge, since: 0, confidence: 1 },
    onTask: { since: 0, forMs: 1e12, activeMs: 1e9 }, tests: { state: 'red', since: 0, runs: 1e6, failing: [huge, huge, huge], lastRunAt: 0 },
    lastGreenCommit: { hash: huge, at: 0 }, hotFiles: [{ path: huge, edits: 1 }, { path: huge, edits: 1 }, { path: huge, edits: 1 }],
    bottlenecks: { open: 1e6, top: [huge, huge] }, note: huge,
  });
  assert.ok(Buffer.byteLength(text) < 1024, String(Buffer.byteLength(text)));
});

test('the projection version changes with the config keys the fold depends on, not with the others', () => {
  const c = { burstGapMinutes: 10, idleMinutes: 15, hotFilesHours: 4, defaultBranches: ['main'], issueKeyPrefixes: [] };
  assert.equal(projectionVersion(c), projectionVersion({ ...c, hotFilesHours: 8 }));
  assert.notEqual(projectionVersion(c), projectionVersion({ ...c, burstGapMinutes: 5 }));
  assert.ok(projectionVersion(c) >= 1_000_000);
});

test('task and project rows: the per-batch updates keep the semantics of the statements they replace', () => {
  const r = newTask('/p', 'PROJ-1', 'feature/PROJ-1-x', 'PROJ-1', 100, 200);
  assert.deepEqual([r.first_ts, r.last_ts, r.active_ms, r.last_active_ts, r.entries], [100, 200, 0, null, 0]);
  widenTask(r, null, 'OTHER-2', 50, 150);
  assert.deepEqual([r.first_ts, r.last_ts, r.branch, r.issue], [50, 200, 'feature/PROJ-1-x', 'PROJ-1'], 'a null branch keeps the old one; the first issue stays');
  widenTask(r, 'feature/PROJ-1-y', null, 60, 300);
  assert.deepEqual([r.first_ts, r.last_ts, r.branch], [50, 300, 'feature/PROJ-1-y']);
  // Heartbeat active time: the first activity starts the clock, gaps up to idle count, longer ones and the past do not.
  addActivity(r, 1000, 600);
  addActivity(r, 1500, 600);
  addActivity(r, 2500, 600);
  addActivity(r, 900, 600);
  assert.deepEqual([r.active_ms, r.last_active_ts], [500, 2500]);
  addEdits(r, 3, 2000);
  addEdits(r, 1, 1000);
  assert.deepEqual([r.edits, r.last_edit_ts], [4, 2000]);
  countEntry(r, 7, 'test', false);
  countEntry(r, 8, 'test', true);
  countEntry(r, 9, 'commit', null);
  countEntry(r, 10, 'edit', null);
  assert.deepEqual([r.entries, r.last_entry_id, r.test_runs, r.red_runs, r.commits, r.sessions], [4, 10, 2, 1, 1, 0]);
  const p = newProject('/p', 10);
  setStage(p, 'coding', null, 100, 0.5);
  setStage(p, 'design', null, 50, 0.9);
  assert.deepEqual([p.stage, p.stage_since, p.stage_confidence], ['coding', 100, 0.5], 'an older stage report arriving late does not win');
  setStage(p, 'testing', 'unit', 100, 0.7);
  assert.equal(p.stage, 'testing', 'the same time: the later report wins');
});

test('task keys are remembered per branch without changing the answers', () => {
  const k = new IssueKeys();
  for (let i = 0; i < 2500; i++) assert.equal(k.taskOf(`feature/PROJ-${i}-x`), `PROJ-${i}`);
  assert.equal(k.taskOf('feature/PROJ-7-x'), 'PROJ-7');
  assert.equal(k.taskOf('main'), 'main');
});
