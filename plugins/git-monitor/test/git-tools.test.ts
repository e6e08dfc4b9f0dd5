// History import and the tools: backfill on first sight within backfillDays, idempotent (also across
// two processes on one database), progress and cancellation; git_recent_commits filters and pages;
// git_branches compares with the default branch; permissions.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Kernel } from '@devflow/core';
import type { ToolProgress } from '@devflow/plugin-sdk';
import gitMonitor, { type CommitCreated, type MergeDetected, type TagCreated } from '../src/index.js';
import { commit, fastImportRepo, git, initRepo, isoDaysAgo, tempDir } from './helpers.js';
import { startMonitor } from './kernel.js';

test('first sight imports backfillDays of history once; git_backfill reaches further and never repeats', async (t) => {
  const root = tempDir(t);
  const app = join(root, 'app');
  mkdirSync(app);
  git(app, ['init', '-q', '-b', 'main']);
  // Dates: 4 commits over 400 days ago, then 4 in the last weeks, a merge and a tag among them.
  commit(app, 'chore: initial', { 'README.md': '#\n' }, isoDaysAgo(405));
  const old = [commit(app, 'old 1', { 'o.txt': '1\n' }, isoDaysAgo(402)), commit(app, 'old 2', { 'o.txt': '2\n' }, isoDaysAgo(401)), commit(app, 'old 3', {}, isoDaysAgo(400))];
  git(app, ['checkout', '-q', '-b', 'side']);
  commit(app, 'side work', { 's.txt': 's\n' }, isoDaysAgo(20));
  git(app, ['checkout', '-q', 'main']);
  commit(app, 'fix: main work (#7)', { 'm.txt': 'm\n' }, isoDaysAgo(19));
  git(app, ['merge', '-q', '--no-ff', 'side', '-m', "Merge branch 'side'"], { GIT_AUTHOR_DATE: isoDaysAgo(18), GIT_COMMITTER_DATE: isoDaysAgo(18) });
  git(app, ['tag', '-a', 'v2.0.0', '-m', 'Release 2'], { GIT_COMMITTER_DATE: isoDaysAgo(18) });
  commit(app, 'feat: latest', { 'l.txt': 'l\n' }, isoDaysAgo(1));
  const recent = Number(git(app, ['rev-list', '--count', `--since=${isoDaysAgo(180)}`, '--all']));
  const all = Number(git(app, ['rev-list', '--count', '--all']));
  assert.equal(recent, 4);
  assert.ok(old.length === 3 && all === 8, `fixture: ${all} commits`);

  const m = await startMonitor(t, root, { backfillDays: 180 });
  const imported = m.of<CommitCreated>('git-monitor.commit.created');
  assert.equal(imported.length, 4, 'only the last 180 days');
  assert.ok(imported.every((e) => e.data.imported && !e.data.rewrite));
  assert.equal(imported.find((e) => e.data.subject === 'side work')?.data.branch, 'side');
  assert.equal(imported.find((e) => e.data.subject === 'feat: latest')?.data.branch, 'main');
  assert.ok(imported.every((e) => e.ts === Date.parse(e.data.committedAt)), 'history keeps its own times');
  const merges = m.of<MergeDetected>('git-monitor.merge.detected').map((e) => [e.data.kind, e.data.evidence, e.data.imported]);
  assert.deepEqual(merges.sort(), [['merge', 'parents', true], ['squash', 'pr-suffix', true]]);
  const tags = m.of<TagCreated>('git-monitor.tag.created');
  assert.deepEqual(tags.map((e) => [e.data.tag, e.data.imported, e.data.message]), [['v2.0.0', true, 'Release 2']]);
  assert.ok(m.tk.logs.some((l) => l.msg === 'git-monitor: imported repository history' && l.added === 4));

  const again = await m.tk.callTool('git_backfill', { repo: 'app' });
  assert.ok(again.ok, JSON.stringify(again));
  assert.deepEqual((again.value as { repos: { added: number; seen: number; tags: number }[] }).repos.map((r) => [r.seen, r.added, r.tags]), [[4, 0, 0]], 'running it twice adds nothing');

  const progress: ToolProgress[] = [];
  const further = await m.tk.callTool('git_backfill', { days: 1000 }, { onProgress: (p) => progress.push(p) });
  assert.ok(further.ok, JSON.stringify(further));
  assert.deepEqual((further.value as { repos: { added: number; seen: number }[]; days: number }).repos.map((r) => [r.seen, r.added]), [[8, 4]]);
  assert.ok(progress.length >= 2 && progress[progress.length - 1]?.progress === 8 && progress[progress.length - 1]?.total === 8, JSON.stringify(progress));
  m.tk.flush();
  const hashes = m.of<CommitCreated>('git-monitor.commit.created').map((e) => e.data.hash);
  assert.equal(hashes.length, 8);
  assert.equal(new Set(hashes).size, 8, 'every commit exactly once');
});

test('two processes importing into one database record each commit once; only the lease holder watches', async (t) => {
  const root = tempDir(t);
  const app = join(root, 'app');
  fastImportRepo(app, 1200, 60);
  const a = await startMonitor(t, root, { backfillDays: 0 });
  assert.equal(a.of('git-monitor.commit.created').length, 0, 'backfillDays 0: no automatic import');
  const b = Kernel.open({
    config: { projects: [root], plugins: { 'git-monitor': { config: { backfillDays: 0 } } }, kernel: { watchConfig: false } },
    plugins: [gitMonitor],
    databasePath: join(a.tk.home, 'devflow.db'),
    logLevel: 'silent',
    cwd: a.tk.home,
    env: { ...process.env, DEVFLOW_HOME: a.tk.home },
    monitors: false,
  });
  await b.start();
  t.after(() => b.stop());

  const [ra, rb] = await Promise.all([a.tk.callTool('git_backfill', { days: 365 }), b.callTool('git_backfill', { days: 365 })]);
  assert.ok(ra.ok && rb.ok, JSON.stringify([ra, rb]));
  const added = [ra, rb].map((r) => (r.ok ? (r.value as { repos: { added: number }[] }).repos[0]?.added ?? 0 : 0));
  assert.equal(added[0]! + added[1]!, 1200, `each commit recorded by exactly one of them (${added.join(' + ')})`);
  a.tk.flush();
  b.flush();
  assert.equal(a.tk.kernel.events.count({ types: ['git-monitor.commit.created'] }), 1200, 'and emitted once');

  // The process without the lease serves tools but does not watch: a new commit is seen once, by a.
  const hash = commit(app, 'after import', { 'z.txt': 'z\n' });
  await a.tk.waitForEvent((e) => e.type === 'git-monitor.commit.created' && (e.data as CommitCreated).hash === hash, 5000);
  const recent = await b.callTool('git_recent_commits', { limit: 1 });
  assert.ok(recent.ok);
  assert.equal((recent.value as { commits: { hash: string }[] }).commits[0]?.hash, hash, 'the other process answers from the shared table');
  b.flush();
  assert.equal(a.tk.kernel.events.count({ types: ['git-monitor.commit.created'] }), 1201);
});

test('git_backfill reports progress and stops when cancelled; the rest comes on the next run', async (t) => {
  const root = tempDir(t);
  fastImportRepo(join(root, 'big'), 1500, 90);
  const m = await startMonitor(t, root, { backfillDays: 0 });
  const controller = new AbortController();
  const seen: ToolProgress[] = [];
  const r = await m.tk.callTool('git_backfill', {}, {
    signal: controller.signal,
    onProgress: (p) => {
      seen.push(p);
      if (p.progress >= 500) controller.abort();
    },
  });
  assert.ok(r.ok, JSON.stringify(r));
  const v = r.value as { cancelled: boolean; repos: { added: number; cancelled: boolean }[] };
  assert.equal(v.cancelled, true);
  assert.equal(v.repos[0]?.cancelled, true);
  assert.equal(v.repos[0]?.added, 500, 'one chunk was recorded before the cancel');
  // The total is counted while the import runs, so an early update may not know it yet.
  assert.ok(seen.some((p) => p.progress === 500 && /big: 500\/(500|1500) commits$/.test(p.message ?? '')), JSON.stringify(seen));
  const rest = await m.tk.callTool('git_backfill', {});
  assert.ok(rest.ok);
  assert.equal((rest.value as { repos: { added: number }[] }).repos[0]?.added, 1000);
});

test('git_recent_commits filters by repo, branch, author and time, and pages with a cursor', async (t) => {
  const root = tempDir(t);
  const app = join(root, 'app');
  const api = join(root, 'api');
  initRepo(app, 'chore: initial commit', isoDaysAgo(30));
  initRepo(api);
  for (let i = 1; i <= 5; i++) commit(app, `feat: app ${i} PROJ-${i}`, { [`a${i}.txt`]: 'x\n' }, isoDaysAgo(10 - i));
  git(app, ['checkout', '-q', '-b', 'bobs']);
  git(app, ['commit', '-q', '--allow-empty', '-m', 'fix: by bob'], { GIT_AUTHOR_NAME: 'Bob Builder', GIT_AUTHOR_EMAIL: 'bob@builder.io' });
  commit(api, 'api work');
  const m = await startMonitor(t, root);

  const page1 = await m.tk.callTool('git_recent_commits', { repo: 'app', limit: 3 });
  assert.ok(page1.ok, JSON.stringify(page1));
  const p1 = page1.value as { commits: { hash: string; subject: string; repo: string; type: string | null; issueKeys: string[] }[]; next: string | null };
  assert.deepEqual(p1.commits.map((c) => c.subject), ['fix: by bob', 'feat: app 5 PROJ-5', 'feat: app 4 PROJ-4']);
  assert.ok(p1.commits.every((c) => c.repo === app));
  assert.deepEqual(p1.commits[1]?.issueKeys, ['PROJ-5']);
  assert.equal(p1.commits[1]?.type, 'feat');
  assert.ok(p1.next);
  const page2 = await m.tk.callTool('git_recent_commits', { repo: app, limit: 3, cursor: p1.next });
  const p2 = (page2.ok ? page2.value : null) as typeof p1;
  assert.deepEqual(p2.commits.map((c) => c.subject), ['feat: app 3 PROJ-3', 'feat: app 2 PROJ-2', 'feat: app 1 PROJ-1']);
  const page3 = await m.tk.callTool('git_recent_commits', { repo: app, limit: 3, cursor: p2.next });
  assert.deepEqual((page3.ok ? (page3.value as typeof p1).commits : null)?.map((c) => c.subject), ['chore: initial commit']);
  assert.equal((page3.ok ? (page3.value as typeof p1) : null)?.next, null);

  const bob = await m.tk.callTool('git_recent_commits', { author: 'BUILDER.io' });
  assert.deepEqual((bob.ok ? (bob.value as typeof p1).commits : []).map((c) => c.subject), ['fix: by bob']);
  const onBranch = await m.tk.callTool('git_recent_commits', { branch: 'bobs' });
  assert.deepEqual((onBranch.ok ? (onBranch.value as typeof p1).commits : []).map((c) => c.subject), ['fix: by bob']);
  const lastHours = await m.tk.callTool('git_recent_commits', { since: '1h' });
  assert.deepEqual((lastHours.ok ? (lastHours.value as typeof p1).commits : []).map((c) => c.subject).sort(), ['api work', 'chore: initial commit', 'fix: by bob'].sort());
  const byProject = await m.tk.callTool('git_recent_commits', { project: root, limit: 100 });
  assert.equal((byProject.ok ? (byProject.value as typeof p1).commits : []).length, 9);

  const unknown = await m.tk.callTool('git_recent_commits', { repo: 'nope' });
  assert.equal(unknown.ok, false);
  assert.match(unknown.ok ? '' : unknown.error.message, /no repository "nope" under the project roots; known: .*\/api, .*\/app/);
  const badSince = await m.tk.callTool('git_recent_commits', { since: 'last week' });
  assert.match(badSince.ok ? '' : badSince.error.message, /since "last week"/);

  // git_branches: ahead/behind the default branch, merged, checked out.
  const branches = await m.tk.callTool('git_branches', { repo: 'app' });
  assert.ok(branches.ok, JSON.stringify(branches));
  const report = (branches.value as { repos: { defaultBranch: string; branches: { name: string; ahead: number | null; behind: number | null; merged: boolean | null; checkedOut: string[]; lastCommit: { subject: string } }[] }[] }).repos[0];
  assert.equal(report?.defaultBranch, 'main');
  const bobs = report?.branches.find((b) => b.name === 'bobs');
  assert.deepEqual({ ahead: bobs?.ahead, behind: bobs?.behind, merged: bobs?.merged, checkedOut: bobs?.checkedOut, subject: bobs?.lastCommit.subject }, { ahead: 1, behind: 0, merged: false, checkedOut: [app], subject: 'fix: by bob' });
  assert.deepEqual(report?.branches.find((b) => b.name === 'main')?.ahead, null);

  // Roles: a viewer may read, not import.
  const viewer = m.tk.as('viewer');
  assert.equal((await viewer.callTool('git_recent_commits', { limit: 1 })).ok, true);
  const denied = await viewer.callTool('git_backfill', {});
  assert.equal(denied.ok ? '' : denied.error.code, 'KRN_ERR_FORBIDDEN');
});
