// A realistic task replayed through the real ingest path: branch feature/PROJ-123-login with edit
// bursts, two Claude sessions, three red test runs, a green one, a commit with AI attribution, a
// squash merge and a deploy from main. Asserts the exact timeline, the narrative and the context.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { at, BRANCH, type Entry, fixture, PROJECT, replay, start } from './helpers.js';

const events = fixture('proj-123.json');
const upTo = (hm: string) => events.filter((e) => Date.parse(String(e.ts)) <= at(hm));
const after = (hm: string) => events.filter((e) => Date.parse(String(e.ts)) > at(hm));

const NARRATIVE = 'commit abc1234: 70% AI-assisted, after 3 red test runs and 2 Claude sessions, PROJ-123';

test('the PROJ-123 timeline joins edits, sessions, runs, the commit, the merge and the deploy in order', async (t) => {
  const h = await start(t);
  await replay(h.tk, events);
  const r = await h.call<{ task: string; branch: string; project: string; entries: Entry[]; more: boolean; stats: Record<string, number> }>('task_timeline', { task: 'PROJ-123' });
  assert.equal(r.task, 'PROJ-123');
  assert.equal(r.branch, BRANCH);
  assert.equal(r.project, PROJECT);
  assert.equal(r.more, false);
  assert.deepEqual(
    r.entries.map((e) => [new Date(e.ts).toISOString().slice(11, 16), e.kind, e.summary]),
    [
      ['08:55', 'branch', `branch ${BRANCH} created`],
      ['09:00', 'checkout', `checked out ${BRANCH} (from main)`],
      ['09:02', 'edit', '2 edits to 2 files in src/api'],
      ['09:05', 'ai-session', 'Claude session: 10m active, 5 prompts, 12 tool calls'],
      ['09:08', 'edit', '3 edits to 2 files in src/api'],
      ['09:20', 'test', 'tests red: 2 of 40 failed (login rejects a bad password, …) in 12s'],
      ['09:24', 'edit', '1 edit to src/api/login.ts'],
      ['09:26', 'test', 'tests red: 1 of 41 failed (login locks after 5 attempts) in 12s'],
      ['09:28', 'ai-session', 'Claude session: 8m active, 4 prompts, 9 tool calls'],
      ['09:34', 'edit', '1 edit to src/api/lockout.ts'],
      ['09:36', 'test', 'tests red: 1 of 41 failed (login locks after 5 attempts) in 12s'],
      ['09:40', 'edit', '1 edit to src/api/lockout.ts'],
      ['09:42', 'test', 'tests green: 41 passed in 12s'],
      ['09:46', 'commit', NARRATIVE],
      ['10:30', 'merge', 'merged into main (squash, PR #42)'],
      ['10:40', 'deploy', 'deployed from main'],
    ],
  );
  const commit = r.entries.find((e) => e.kind === 'commit') as Entry;
  assert.deepEqual(
    { ...commit.facts, sessions: commit.facts.sessions },
    {
      hash: 'abc1234def5678901234567890abcdef12345678', subject: 'feat(auth): login with lockout', branch: BRANCH, issueKeys: ['PROJ-123'],
      files: 4, added: 120, removed: 8, merge: false, imported: false, activeAt: 46 * 60_000,
      aiShare: 0.7, aiSource: 'attribution', redRuns: 3, sessions: { claude: 2 }, narrative: NARRATIVE,
    },
  );
  // Evidence: every entry points at the event it came from (the burst at its first edit).
  const ids = new Set(h.tk.events.map((e) => e.id));
  assert.ok(r.entries.every((e) => ids.has(e.eventId)));
  const burst = r.entries[4] as Entry;
  assert.deepEqual(burst.facts, { edits: 3, files: 2, dir: 'src/api', file: null, added: 35, removed: 1 });
  assert.deepEqual(r.stats, { entries: 16, activeMs: 46 * 60_000, firstTs: at('08:55'), lastTs: at('10:40') });
  // The text an assistant reads over MCP: a header, then one line per entry.
  const text = h.render('task_timeline', r).split('\n');
  assert.equal(text[0], 'task PROJ-123 (feature/PROJ-123-login) in /home/dev/webapp: 16 entries, active 46m, 2026-03-02 08:55Z → 2026-03-02 10:40Z');
  assert.equal(text.length, 1 + 16);
  assert.equal(text[1], `2026-03-02 08:55Z branch: branch ${BRANCH} created`);
  assert.equal(text[14], `2026-03-02 09:46Z commit: ${NARRATIVE} — "feat(auth): login with lockout"`);

  // The branch name finds the same task; limit keeps the most recent entries, since reads forward.
  const byBranch = await h.call<{ task: string; entries: Entry[] }>('task_timeline', { task: BRANCH, limit: 3 });
  assert.equal(byBranch.task, 'PROJ-123');
  assert.deepEqual(byBranch.entries.map((e) => e.kind), ['commit', 'merge', 'deploy']);
  assert.match(h.render('task_timeline', byBranch).split('\n')[0] as string, /: 16 entries, .*; showing 3 most recent$/);
  const from = await h.call<{ entries: Entry[]; more: boolean }>('task_timeline', { task: 'proj-123', since: String(at('09:40')), limit: 2 });
  assert.deepEqual(from.entries.map((e) => e.kind), ['edit', 'test']);
  assert.equal(from.more, true);

  // The deploy ran on main: main's own timeline has it, with the merge-time checkout.
  const main = await h.call<{ entries: Entry[] }>('task_timeline', { task: 'main', project: PROJECT });
  assert.deepEqual(main.entries.map((e) => [e.kind, e.summary]), [
    ['checkout', `checked out main (from ${BRANCH})`],
    ['deploy', 'deploy ok in 1m'],
  ]);
  // The current task (no task given) is main: checked out last.
  const current = await h.call<{ task: string }>('task_timeline', {});
  assert.equal(current.task, 'main');

  const list = await h.call<{ tasks: Record<string, unknown>[]; more: boolean }>('tasks_list', { since: '3650d' });
  assert.deepEqual(h.render('tasks_list', list).split('\n'), [
    'main [/home/dev/webapp]: 2026-03-02 10:31Z → 2026-03-02 10:40Z, active 9m, 0 edits, 0 commits, 0 AI sessions, 0 test runs (0 red), tests none',
    'PROJ-123 [/home/dev/webapp]: 2026-03-02 08:55Z → 2026-03-02 10:40Z, active 46m, 8 edits, 1 commits, 2 AI sessions, 4 test runs (3 red), tests green, merged, deployed',
  ]);
  const one = await h.call<{ tasks: unknown[]; more: boolean }>('tasks_list', { since: '3650d', limit: 1 });
  assert.equal(one.more, true);
  assert.equal(h.render('tasks_list', one).split('\n')[1], '… more tasks: raise limit or narrow since');
  assert.deepEqual(list.tasks.map((x) => [x.task, x.edits, x.commits, x.sessions, x.testRuns, x.redRuns, x.tests, x.activeMs]), [
    ['main', 0, 0, 0, 0, 0, 'none', 9 * 60_000],
    ['PROJ-123', 8, 1, 2, 4, 3, 'green', 46 * 60_000],
  ]);
  const proj = list.tasks[1] as Record<string, unknown>;
  assert.equal(proj.mergedAt, at('10:30'));
  assert.equal(proj.deployedAt, at('10:40'));
  assert.equal(proj.issue, 'PROJ-123');
});

test('the narrative is written when the commit arrives and corrected when the attribution follows', async (t) => {
  const h = await start(t);
  const commitAt = events.findIndex((e) => e.type === 'git-monitor.commit.created');
  await replay(h.tk, events.slice(0, commitAt + 1));
  const before = h.api.timeline('PROJ-123').entries.find((e) => e.kind === 'commit');
  // Without attribution: AI session time (10m + 8m) over active time since the task began (46m).
  assert.equal(before?.summary, 'commit abc1234: ~39% AI-assisted, after 3 red test runs and 2 Claude sessions, PROJ-123');
  assert.equal(before?.facts.aiSource, 'session-overlap');
  await replay(h.tk, events.slice(commitAt + 1, commitAt + 2));
  assert.equal(h.api.timeline('PROJ-123').entries.find((e) => e.kind === 'commit')?.summary, NARRATIVE);
});

test('devflow_context follows the task: red tests with the failing ones, then green with the last green commit', async (t) => {
  const h = await start(t);
  await replay(h.tk, upTo('09:36'));
  const red = await h.call<Record<string, unknown>>('devflow_context');
  assert.equal(red.project, PROJECT);
  assert.equal(red.branch, BRANCH);
  assert.equal(red.task, 'PROJ-123');
  assert.deepEqual(red.stage, { name: 'coding', subStage: 'unit-testing', since: at('09:21'), confidence: 0.8 });
  assert.deepEqual(red.tests, { state: 'red', since: at('09:20'), runs: 3, failing: ['login locks after 5 attempts'], lastRunAt: at('09:36') });
  assert.equal(red.lastGreenCommit, null);
  assert.deepEqual(red.hotFiles, [{ path: 'src/api/login.ts', edits: 4 }, { path: 'src/api/lockout.ts', edits: 1 }, { path: 'src/api/routes/auth.ts', edits: 1 }]);
  assert.ok(String(red.text).includes('tests RED since 2026-03-02 09:20Z, 3 runs: login locks after 5 attempts'), String(red.text));

  await replay(h.tk, upTo('09:50').filter((e) => Date.parse(String(e.ts)) > at('09:36')));
  const green = await h.call<Record<string, unknown> & { onTask: Record<string, number>; text: string }>('devflow_context', { project: PROJECT });
  assert.deepEqual(green.tests, { state: 'green', since: at('09:42'), runs: 0, failing: [], lastRunAt: at('09:42') });
  assert.deepEqual(green.lastGreenCommit, { hash: 'abc1234def56', at: at('09:46') });
  assert.equal(green.onTask.since, at('08:55'));
  assert.equal(green.onTask.activeMs, 46 * 60_000);
  assert.ok((green.onTask.forMs ?? 0) >= at('09:46') - at('08:55'));
  assert.deepEqual(green.bottlenecks, { open: 1, top: ['Work spread over 6 branches'] });
  assert.deepEqual(green.hotFiles, [{ path: 'src/api/login.ts', edits: 4 }, { path: 'src/api/lockout.ts', edits: 2 }, { path: 'src/api/routes/auth.ts', edits: 1 }]);
  const lines = green.text.split('\n');
  assert.equal(lines[0], `project ${PROJECT} · branch ${BRANCH} (task PROJ-123)`);
  assert.equal(lines[1], 'stage coding/unit-testing since 2026-03-02 09:21Z (80%)');
  assert.match(lines[2] as string, /^on task \S+ \(active 46m\) since 2026-03-02 08:55Z$/);
  assert.deepEqual(lines.slice(3), [
    'tests green at 2026-03-02 09:42Z',
    'last green commit abc1234 at 2026-03-02 09:46Z',
    'hot: src/api/login.ts (4), src/api/lockout.ts (2), src/api/routes/auth.ts (1)',
    'bottlenecks 1 open: Work spread over 6 branches',
  ]);
  assert.ok(Buffer.byteLength(green.text) < 1024);
  assert.equal(h.render('devflow_context', green), green.text, 'MCP clients read the compact lines, not the JSON');
  const viaApi = h.api.context(PROJECT);
  assert.deepEqual({ ...viaApi, onTask: null, text: '' }, { ...green, onTask: null, text: '' }, 'the API answers what the tool answers');

  await replay(h.tk, after('09:50'));
  const deployed = h.api.context();
  assert.equal(deployed.branch, 'main');
  assert.equal(deployed.task, 'main');
  assert.equal(deployed.tests.state, 'none');
});
