// git-monitor through the real kernel, on real repositories made with the git CLI: commits, branches,
// merges (merge commit, fast-forward, squash three ways), rewrites (amend, rebase, reset), tags,
// stashes, worktrees and submodules — noticed by watching .git, not only by polling.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BranchDeleted, BranchSwitched, CommitCreated, HistoryRewritten, MergeDetected, StashCreated, TagCreated } from '../src/index.js';
import { commit, git, initRepo, tempDir, write } from './helpers.js';
import { startMonitor } from './kernel.js';

test('a commit is noticed by watching .git (no poll), with branch, issue keys, trailers and files', async (t) => {
  const root = tempDir(t);
  const app = join(root, 'app');
  initRepo(app);
  const m = await startMonitor(t, root);
  assert.equal(m.of('git-monitor.commit.created').length, 1, 'the initial commit was imported on first sight');

  git(app, ['checkout', '-q', '-b', 'feature/proj-42-login']);
  const created = await m.tk.waitForEvent((e) => e.type === 'git-monitor.branch.created', 5000);
  assert.deepEqual(created.data, { repo: app, branch: 'feature/proj-42-login', hash: git(app, ['rev-parse', 'HEAD']) });
  const switched = await m.tk.waitForEvent((e) => e.type === 'git-monitor.branch.switched', 5000);
  assert.deepEqual(switched.data, { repo: app, worktree: app, from: 'main', to: 'feature/proj-42-login', hash: git(app, ['rev-parse', 'HEAD']), detached: false });
  assert.equal(switched.project, root, 'events belong to the project root that contains the repository');

  const hash = commit(app, 'feat(auth)!: log in with passkeys\n\nFixes OPS-7.\n\nCo-authored-by: Bob <bob@example.com>\nRefs: PROJ-43', { 'src/login.ts': 'a\nb\nc\n', 'README.md': '# test\nmore\n' });
  const e = await m.tk.waitForEvent((x) => x.type === 'git-monitor.commit.created' && (x.data as CommitCreated).hash === hash, 5000);
  const c = e.data as CommitCreated;
  assert.equal(c.repo, app);
  assert.equal(c.branch, 'feature/proj-42-login');
  assert.equal(c.subject, 'feat(auth)!: log in with passkeys');
  assert.deepEqual(c.conventional, { type: 'feat', scope: 'auth', breaking: true });
  assert.deepEqual(c.issueKeys, ['PROJ-42', 'OPS-7', 'PROJ-43']);
  assert.deepEqual(c.trailers, [{ key: 'Co-authored-by', value: 'Bob <bob@example.com>' }, { key: 'Refs', value: 'PROJ-43' }]);
  assert.deepEqual(c.author, { name: 'Ada Lovelace', email: 'ada@example.com' });
  assert.deepEqual([...c.files].sort((a, b) => a.path.localeCompare(b.path)), [{ path: 'README.md', added: 1, removed: 0 }, { path: 'src/login.ts', added: 3, removed: 0 }]);
  assert.deepEqual(c.stats, { files: 2, added: 4, removed: 0 });
  assert.equal(c.imported, false);
  assert.equal(c.rewrite, false);
  assert.equal(c.parents.length, 1);
  assert.ok(Date.parse(c.committedAt) > 0 && e.ts === Date.parse(c.committedAt), 'the event time is the commit time');

  await m.settle();
  assert.equal(m.of('git-monitor.commit.created').filter((x) => (x.data as CommitCreated).hash === hash).length, 1, 'each commit is reported once, however many scans');
  assert.equal(m.of('git-monitor.branch.switched').length, 1);
});

test('merges: a merge commit, a fast-forward, and squash merges by message, PR number, tree and diff', async (t) => {
  const root = tempDir(t);
  const app = join(root, 'app');
  initRepo(app);
  const m = await startMonitor(t, root);
  const merges = () => m.of<MergeDetected>('git-monitor.merge.detected').map((e) => e.data);

  // A merge commit.
  git(app, ['checkout', '-q', '-b', 'nf']);
  const nfTip = commit(app, 'nf work', { 'nf.txt': 'x\n' });
  git(app, ['checkout', '-q', 'main']);
  commit(app, 'main moves on', { 'main.txt': 'm\n' });
  git(app, ['merge', '-q', '--no-ff', 'nf', '-m', "Merge branch 'nf'"]);
  const mergeCommit = git(app, ['rev-parse', 'HEAD']);
  await m.settle();
  assert.deepEqual(merges().find((x) => x.hash === mergeCommit), { repo: app, hash: mergeCommit, into: 'main', kind: 'merge', evidence: 'parents', mergedBranch: 'nf', mergedHash: nfTip, pr: null, imported: false });
  const mc = m.of<CommitCreated>('git-monitor.commit.created').find((e) => e.data.hash === mergeCommit);
  assert.equal(mc?.data.merge, true);
  assert.equal(mc?.data.branch, 'main');

  // A fast-forward merge: no new commit on main, the reflog says what happened.
  git(app, ['checkout', '-q', '-b', 'ff']);
  const ffTip = commit(app, 'ff work', { 'ff.txt': 'f\n' });
  await m.settle();
  git(app, ['checkout', '-q', 'main']);
  git(app, ['merge', '-q', 'ff']);
  await m.settle();
  assert.deepEqual(merges().find((x) => x.kind === 'fast-forward'), { repo: app, hash: ffTip, into: 'main', kind: 'fast-forward', evidence: 'reflog', mergedBranch: 'ff', mergedHash: ffTip, pr: null, imported: false });

  // git merge --squash: "Squashed commit of the following:" and the same tree as the branch tip.
  git(app, ['checkout', '-q', '-b', 'sq']);
  commit(app, 'sq 1', { 'sq.txt': '1\n' });
  const sqTip = commit(app, 'sq 2', { 'sq.txt': '1\n2\n' });
  git(app, ['checkout', '-q', 'main']);
  git(app, ['merge', '-q', '--squash', 'sq']);
  git(app, ['commit', '-q', '--no-edit']);
  const squash = git(app, ['rev-parse', 'HEAD']);
  await m.settle();
  assert.deepEqual(merges().find((x) => x.hash === squash), { repo: app, hash: squash, into: 'main', kind: 'squash', evidence: 'squash-message', mergedBranch: 'sq', mergedHash: sqTip, pr: null, imported: false });
  git(app, ['branch', '-q', '-D', 'sq']);
  await m.settle();
  assert.deepEqual(m.of<BranchDeleted>('git-monitor.branch.deleted').map((e) => e.data), [{ repo: app, branch: 'sq', hash: sqTip, merged: false }]);
  assert.equal(merges().filter((x) => x.hash === squash).length, 1, 'the deletion finds the same squash and does not report it twice');

  // A squash made elsewhere (GitHub's "Title (#123)") arriving on main.
  const pr = commit(app, 'Add search (#123)', { 'search.txt': 's\n' });
  await m.settle();
  assert.deepEqual(merges().find((x) => x.hash === pr), { repo: app, hash: pr, into: 'main', kind: 'squash', evidence: 'pr-suffix', mergedBranch: null, mergedHash: null, pr: 123, imported: false });

  // A squash without any marker: main diverged, so only the deleted branch's diff gives it away.
  git(app, ['checkout', '-q', '-b', 'quiet']);
  commit(app, 'quiet 1', { 'q.txt': 'q\n' });
  const quietTip = commit(app, 'quiet 2', { 'q.txt': 'q\nq2\n', 'q2.txt': 'z\n' });
  git(app, ['checkout', '-q', 'main']);
  commit(app, 'unrelated', { 'u.txt': 'u\n' });
  git(app, ['checkout', 'quiet', '--', 'q.txt', 'q2.txt']);
  const landed = commit(app, 'Quiet feature');
  await m.settle();
  assert.equal(merges().some((x) => x.hash === landed), false, 'nothing says it is a merge yet');
  git(app, ['branch', '-q', '-D', 'quiet']);
  await m.settle();
  assert.deepEqual(merges().find((x) => x.hash === landed), { repo: app, hash: landed, into: 'main', kind: 'squash', evidence: 'diff-match', mergedBranch: 'quiet', mergedHash: quietTip, pr: null, imported: false });

  // A branch left behind on main's history, and an empty commit restoring its tree: no squash.
  git(app, ['branch', 'left-behind']);
  commit(app, 'chore: empty');
  const empty = git(app, ['rev-parse', 'HEAD']);
  await m.settle();
  assert.equal(merges().some((x) => x.hash === empty), false, 'a tip already merged into main is a base, not a squash');

  // Deleting a merged branch says so and reports nothing else.
  git(app, ['branch', '-q', '-d', 'nf']);
  await m.settle();
  assert.deepEqual(m.of<BranchDeleted>('git-monitor.branch.deleted').find((e) => e.data.branch === 'nf')?.data, { repo: app, branch: 'nf', hash: nfTip, merged: true });
  assert.equal(merges().length, 5);
});

test('rewrites: amend, rebase and reset are reported from the reflog; the new commits are marked', async (t) => {
  const root = tempDir(t);
  const app = join(root, 'app');
  initRepo(app);
  const m = await startMonitor(t, root);
  const rewrites = () => m.of<HistoryRewritten>('git-monitor.history.rewritten').map((e) => e.data);

  const first = commit(app, 'wip', { 'a.txt': '1\n' });
  await m.settle();
  git(app, ['commit', '-q', '--amend', '-m', 'feat: finished']);
  const amended = git(app, ['rev-parse', 'HEAD']);
  await m.settle();
  const base = git(app, ['rev-parse', 'HEAD~1']);
  assert.deepEqual(rewrites()[0], { repo: app, branch: 'main', from: first, to: amended, kind: 'amend', mergeBase: base, dropped: 1, added: 1, reflog: 'commit (amend): feat: finished' });
  const amendedCommit = m.of<CommitCreated>('git-monitor.commit.created').find((e) => e.data.hash === amended);
  assert.equal(amendedCommit?.data.rewrite, true);
  assert.equal(amendedCommit?.data.subject, 'feat: finished');

  git(app, ['checkout', '-q', '-b', 'topic']);
  const t1 = commit(app, 'topic 1', { 't1.txt': '1\n' });
  const t2 = commit(app, 'topic 2', { 't2.txt': '2\n' });
  git(app, ['checkout', '-q', 'main']);
  commit(app, 'main 1', { 'm.txt': 'm\n' });
  git(app, ['checkout', '-q', 'topic']);
  await m.settle();
  git(app, ['rebase', '-q', 'main']);
  const rebased = git(app, ['rev-parse', 'HEAD']);
  await m.settle();
  const r = rewrites().find((x) => x.branch === 'topic');
  assert.equal(r?.kind, 'rebase');
  assert.equal(r?.from, t2);
  assert.equal(r?.to, rebased);
  assert.equal(r?.dropped, 2);
  assert.equal(r?.added, 3, 'now on the branch and not before: the two copies and main 1 underneath');
  assert.match(r?.reflog ?? '', /^rebase.*\(finish\)/);
  const copies = m.of<CommitCreated>('git-monitor.commit.created').filter((e) => e.data.rewrite && e.data.branch === 'topic');
  assert.deepEqual(copies.map((e) => e.data.subject), ['topic 1', 'topic 2'], 'the rebased copies, oldest first');
  assert.ok(!copies.some((e) => e.data.hash === t1));
  assert.equal(m.of('git-monitor.branch.switched').filter((e) => (e.data as BranchSwitched).to === null).length, 0, 'the rebase never shows as a detached HEAD');

  git(app, ['reset', '-q', '--hard', 'HEAD~1']);
  await m.settle();
  const reset = rewrites().find((x) => x.kind === 'reset');
  assert.deepEqual({ branch: reset?.branch, dropped: reset?.dropped, added: reset?.added, to: reset?.to }, { branch: 'topic', dropped: 1, added: 0, to: git(app, ['rev-parse', 'HEAD']) });
  assert.equal(rewrites().length, 3);
});

test('tags and stashes', async (t) => {
  const root = tempDir(t);
  const app = join(root, 'app');
  const head = initRepo(app);
  const m = await startMonitor(t, root);

  git(app, ['tag', 'v1.0.0']);
  git(app, ['tag', '-a', 'v1.1.0', '-m', 'Release 1.1\n\nNotes.']);
  await m.settle();
  const tags = m.of<TagCreated>('git-monitor.tag.created').map((e) => e.data);
  assert.equal(tags.length, 2);
  const light = tags.find((x) => x.tag === 'v1.0.0');
  const annotated = tags.find((x) => x.tag === 'v1.1.0');
  assert.deepEqual({ ...light, taggedAt: null }, { repo: app, tag: 'v1.0.0', hash: head, annotated: false, message: null, taggedAt: null, replaced: null, imported: false });
  assert.equal(annotated?.hash, head, 'an annotated tag reports the commit it points at');
  assert.equal(annotated?.annotated, true);
  assert.equal(annotated?.message, 'Release 1.1');

  write(app, 'README.md', 'changed\n');
  git(app, ['stash', 'push', '-q', '-m', 'my note']);
  await m.settle();
  const stash1 = git(app, ['rev-parse', 'refs/stash']);
  assert.deepEqual(m.of<StashCreated>('git-monitor.stash.created').map((e) => e.data), [{ repo: app, hash: stash1, branch: 'main', message: 'my note' }]);
  git(app, ['stash', 'pop', '-q']);
  await m.settle();
  git(app, ['stash', 'push', '-q']);
  await m.settle();
  const stashes = m.of<StashCreated>('git-monitor.stash.created');
  assert.equal(stashes.length, 2, 'a pop is no new stash; the next push is');
  assert.equal(stashes[1]?.data.branch, 'main');
  assert.match(stashes[1]?.data.message ?? '', /chore: initial commit/);
});

test('worktrees share their repository; submodules are repositories of their own', async (t) => {
  const root = tempDir(t);
  const app = join(root, 'app');
  const libSource = join(tempDir(t), 'lib');
  initRepo(libSource, 'lib: initial');
  initRepo(app);
  git(app, ['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', libSource, 'lib']);
  commit(app, 'add lib');
  const m = await startMonitor(t, root);
  const lib = join(app, 'lib');
  assert.deepEqual(m.api.repositories().map((r: { path: string }) => r.path).sort(), [app, lib]);

  const wt = join(root, 'wt');
  git(app, ['worktree', 'add', '-q', '-b', 'wtbranch', wt]);
  await m.settle();
  assert.deepEqual(m.api.repositories().map((r: { path: string }) => r.path).sort(), [app, lib], 'the worktree belongs to app');
  const inWorktree = commit(wt, 'work in the worktree', { 'w.txt': 'w\n' });
  await m.settle();
  const seen = m.of<CommitCreated>('git-monitor.commit.created').filter((e) => e.data.hash === inWorktree);
  assert.deepEqual(seen.map((e) => [e.data.repo, e.data.branch]), [[app, 'wtbranch']]);
  git(wt, ['checkout', '-q', '-b', 'other']);
  await m.settle();
  assert.deepEqual(m.of<BranchSwitched>('git-monitor.branch.switched').map((e) => e.data), [{ repo: app, worktree: wt, from: 'wtbranch', to: 'other', hash: inWorktree, detached: false }]);

  const inLib = commit(lib, 'lib change', { 'l.txt': 'l\n' });
  await m.settle();
  const libCommit = m.of<CommitCreated>('git-monitor.commit.created').find((e) => e.data.hash === inLib);
  assert.equal(libCommit?.data.repo, lib);
  assert.equal(libCommit?.project, root);
});

test('poll-only mode (watch: false) still sees everything on the poll', async (t) => {
  const root = tempDir(t);
  const app = join(root, 'app');
  initRepo(app);
  const m = await startMonitor(t, root, { watch: false });
  const hash = commit(app, 'quiet commit');
  await new Promise((r) => setTimeout(r, 300));
  m.tk.flush();
  assert.equal(m.of<CommitCreated>('git-monitor.commit.created').some((e) => e.data.hash === hash), false, 'nothing watches .git');
  await m.settle(); // what the poll runs
  assert.equal(m.of<CommitCreated>('git-monitor.commit.created').filter((e) => e.data.hash === hash).length, 1);
});

test('an empty repository: nothing until its first commit, then the branch and the commit', async (t) => {
  const root = tempDir(t);
  const app = join(root, 'app');
  mkdirSync(app);
  git(app, ['init', '-q', '-b', 'main']);
  const m = await startMonitor(t, root);
  assert.equal(m.api.repositories().length, 1);
  assert.equal(m.tk.events.filter((e) => e.type.startsWith('git-monitor.')).length, 0);
  const hash = commit(app, 'first!');
  await m.settle();
  assert.deepEqual(m.of('git-monitor.branch.created').map((e) => e.data), [{ repo: app, branch: 'main', hash }]);
  assert.deepEqual(m.of<CommitCreated>('git-monitor.commit.created').map((e) => [e.data.hash, e.data.branch, e.data.parents.length]), [[hash, 'main', 0]]);
  assert.equal(m.of('git-monitor.branch.switched').length, 0, 'HEAD was on main all along');
  assert.equal(m.tk.logs.filter((l) => l.level >= 40).length, 0, 'an empty repository is no problem');
});
