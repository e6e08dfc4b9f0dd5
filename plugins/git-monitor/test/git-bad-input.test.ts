// Bad input through the real kernel: a shallow clone, a repository mid-rebase, a corrupt repository,
// a directory that only looks like one, and a repository that vanishes. Each gives a logged warning
// that names the repository; the monitor keeps running and the other repositories keep working.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CommitCreated, HistoryRewritten } from '../src/index.js';
import { commit, git, gitMayFail, initRepo, tempDir, write } from './helpers.js';
import { startMonitor } from './kernel.js';

const WARN = 40;

test('a shallow clone: a warning naming it, the history it has, and live commits', async (t) => {
  const source = join(tempDir(t), 'source');
  initRepo(source);
  for (let i = 1; i <= 4; i++) commit(source, `commit ${i}`, { 'f.txt': `${i}\n` });
  const root = tempDir(t);
  const shallow = join(root, 'shallow');
  git(root, ['clone', '-q', '--depth', '2', `file://${source}`, shallow]);
  const m = await startMonitor(t, root);
  const warning = await m.waitForLog((l) => l.level === WARN && String(l.msg).includes('shallow clone'));
  assert.match(String(warning.msg), new RegExp(`${shallow} is a shallow clone`));
  assert.equal((warning as { plugin?: string }).plugin, 'git-monitor', 'attributed to the plugin');
  assert.deepEqual(m.of<CommitCreated>('git-monitor.commit.created').map((e) => e.data.subject), ['commit 4', 'commit 3'], 'the history it has, newest first as git prints it');
  const hash = commit(shallow, 'after clone', { 'g.txt': 'g\n' });
  await m.settle();
  assert.ok(m.of<CommitCreated>('git-monitor.commit.created').some((e) => e.data.hash === hash));
  assert.equal(m.tk.logs.filter((l) => l.level >= WARN && String(l.msg).includes('shallow')).length, 1, 'warned once');
});

test('a repository mid-rebase: a warning, no detached-HEAD noise, and one rewrite when it finishes', async (t) => {
  const root = tempDir(t);
  const app = join(root, 'app');
  initRepo(app);
  git(app, ['checkout', '-q', '-b', 'topic']);
  commit(app, 'topic side', { 'conflict.txt': 'topic\n' });
  git(app, ['checkout', '-q', 'main']);
  commit(app, 'main side', { 'conflict.txt': 'main\n' });
  git(app, ['checkout', '-q', 'topic']);
  const m = await startMonitor(t, root);

  const r = gitMayFail(app, ['rebase', 'main']);
  assert.equal(r.ok, false, 'the rebase stops on the conflict');
  await m.settle();
  const warning = await m.waitForLog((l) => l.level === WARN && String(l.msg).includes('middle of a rebase'));
  assert.equal((warning as { repo?: string }).repo, app);
  git(app, ['tag', 'during-rebase', 'main']);
  await m.settle();
  assert.equal(m.of('git-monitor.tag.created').length, 1, 'the rest of the repository is still watched');
  assert.equal(m.of('git-monitor.branch.switched').length, 0, 'the temporary detached HEAD is not reported');

  write(app, 'conflict.txt', 'resolved\n');
  git(app, ['add', 'conflict.txt']);
  git(app, ['rebase', '--continue']);
  await m.settle();
  const rewrites = m.of<HistoryRewritten>('git-monitor.history.rewritten').map((e) => e.data);
  assert.deepEqual(rewrites.map((x) => [x.branch, x.kind, x.dropped]), [['topic', 'rebase', 1]]);
  assert.equal(m.of('git-monitor.branch.switched').length, 0);
  assert.ok(m.tk.logs.some((l) => l.msg === 'git-monitor: operation finished; watching HEAD again'));
  assert.equal(m.tk.logs.filter((l) => l.level >= WARN && String(l.msg).includes('middle of a rebase')).length, 1, 'warned once per rebase');
});

test('a corrupt repository and a fake one: attributed warnings, and the healthy one keeps working', async (t) => {
  const root = tempDir(t);
  const good = join(root, 'good');
  const bad = join(root, 'bad');
  initRepo(good);
  initRepo(bad);
  mkdirSync(join(root, 'fake', '.git'), { recursive: true });
  writeFileSync(join(root, 'fake', '.git', 'HEAD'), 'garbage\n');
  const m = await startMonitor(t, root);
  const fake = await m.waitForLog((l) => l.level === WARN && String(l.msg).includes(join(root, 'fake')));
  assert.match(String(fake.msg), /cannot use .*fake as a git repository/);

  // Lose the object of bad's newest commit.
  const hash = commit(bad, 'about to be lost', { 'x.txt': 'x\n' });
  const object = join(bad, '.git', 'objects', hash.slice(0, 2), hash.slice(2));
  const saved = join(tempDir(t), 'object');
  cpSync(object, saved);
  rmSync(object, { force: true });
  await m.settle();
  const corrupt = await m.waitForLog((l) => l.level === WARN && String(l.msg).startsWith(`git-monitor: cannot read repository ${bad}`));
  assert.equal((corrupt as { repo?: string }).repo, bad);

  const ok = commit(good, 'still watched', { 'y.txt': 'y\n' });
  await m.settle();
  assert.ok(m.of<CommitCreated>('git-monitor.commit.created').some((e) => e.data.hash === ok), 'the healthy repository keeps working');
  assert.equal(m.tk.logs.filter((l) => l.level >= WARN && String(l.msg).startsWith(`git-monitor: cannot read repository ${bad}`)).length, 1, 'the same failure is not repeated on every scan');

  cpSync(saved, object);
  await m.settle();
  assert.ok(m.of<CommitCreated>('git-monitor.commit.created').some((e) => e.data.hash === hash), 'once repaired, the lost commit is reported');
  assert.ok(m.tk.logs.some((l) => l.msg === 'git-monitor: repository readable again' && l.repo === bad));
});

test('a repository that vanishes: a warning, and the others keep working', async (t) => {
  const root = tempDir(t);
  const keep = join(root, 'keep');
  const gone = join(root, 'gone');
  initRepo(keep);
  initRepo(gone);
  const m = await startMonitor(t, root);
  assert.equal(m.api.repositories().length, 2);
  rmSync(gone, { recursive: true, force: true });
  const warning = await m.waitForLog((l) => l.level === WARN && String(l.msg).includes('vanished'));
  assert.match(String(warning.msg), new RegExp(`repository ${gone} vanished`));
  const hash = commit(keep, 'still here');
  await m.settle();
  assert.ok(m.of<CommitCreated>('git-monitor.commit.created').some((e) => e.data.hash === hash));
  assert.deepEqual(m.api.repositories().map((r: { path: string }) => r.path), [keep]);
  assert.equal(m.tk.kernel.status().plugins.find((p) => p.id === 'git-monitor')?.state, 'started');
});
