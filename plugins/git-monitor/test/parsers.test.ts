// Unit tests of the plain modules: log parser, message parsers, refs state and reflog, merges.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributeBranches } from '../src/attribute.js';
import { extractIssueKeys, parseConventional, parseTrailers, prNumberSuffix, splitMessage } from '../src/commit-message.js';
import { gitAt } from '../src/git-client.js';
import { branchOfSource, LogStreamParser, logArgs, parseLog, toCommitData, type RawCommit } from '../src/log-parser.js';
import { detectMerge, parseMergeSubject, sameChange } from '../src/merges.js';
import { buildState, classifyReflog, diffState, parseHeadFile, parseReflog, parseRefs, parseStashMessage, pickDefaultBranch, type RefEntry } from '../src/refs.js';
import { matchRepos } from '../src/tools.js';
import { projectOf } from '../src/discover.js';
import { commit, git, initRepo, tempDir } from './helpers.js';

const H = (c: string) => c.repeat(40);

test('splitMessage takes the first paragraph as subject, like %s', () => {
  assert.deepEqual(splitMessage('fix: a\nsecond line\n\nbody\n'), { subject: 'fix: a second line', body: 'body' });
  assert.deepEqual(splitMessage('only subject'), { subject: 'only subject', body: '' });
  assert.deepEqual(splitMessage('\n\nsubject\r\n\r\nbody'), { subject: 'subject', body: 'body' });
});

test('parseConventional reads type, scope and breaking markers', () => {
  assert.deepEqual(parseConventional('feat(api): add login'), { type: 'feat', scope: 'api', breaking: false });
  assert.deepEqual(parseConventional('Fix!: drop node 16'), { type: 'fix', scope: null, breaking: true });
  assert.deepEqual(parseConventional('refactor(core)!: rename'), { type: 'refactor', scope: 'core', breaking: true });
  assert.deepEqual(parseConventional('chore: x', 'text\n\nBREAKING CHANGE: config moved'), { type: 'chore', scope: null, breaking: true });
  assert.deepEqual(parseConventional('docs: x', 'BREAKING-CHANGE: y'), { type: 'docs', scope: null, breaking: true });
  assert.equal(parseConventional('Update README'), null);
  assert.equal(parseConventional('feat:no space'), null);
  assert.equal(parseConventional('Merge branch \'x\''), null);
  assert.equal(parseConventional('feat(): empty scope')?.scope, null);
});

test('parseTrailers reads the last paragraph when it is a trailer block', () => {
  const msg = 'feat: x\n\nSome body.\n\nCo-authored-by: Bob <bob@example.com>\nSigned-off-by: Ada <ada@example.com>\nRefs: PROJ-1,\n  PROJ-2\n';
  assert.deepEqual(parseTrailers(msg), [
    { key: 'Co-authored-by', value: 'Bob <bob@example.com>' },
    { key: 'Signed-off-by', value: 'Ada <ada@example.com>' },
    { key: 'Refs', value: 'PROJ-1, PROJ-2' },
  ]);
  assert.deepEqual(parseTrailers('fix: y\n\nBREAKING CHANGE: the API changed'), [{ key: 'BREAKING CHANGE', value: 'the API changed' }]);
  assert.deepEqual(parseTrailers('Subject: looks like a trailer'), [], 'the subject is never a trailer block');
  assert.deepEqual(parseTrailers('fix: y\n\nJust prose: with a colon but\nmore prose here.'), [], 'a paragraph of prose is not trailers');
  // git's rule: a mixed block counts when it has a git-written trailer and ≥ 25 % trailers.
  assert.deepEqual(parseTrailers('fix: y\n\nSigned-off-by: A <a@x>\n[fixed typo]'), [{ key: 'Signed-off-by', value: 'A <a@x>' }]);
  assert.deepEqual(parseTrailers('fix: y\n\nsee http://x'), []);
});

test('extractIssueKeys finds keys in branch and message, without false friends', () => {
  assert.deepEqual(extractIssueKeys('fix: login PROJ-12 and OPS-7, also PROJ-12', 'feature/proj-99-login'), ['PROJ-99', 'PROJ-12', 'OPS-7']);
  assert.deepEqual(extractIssueKeys('Use UTF-8 and SHA-256, per RFC-2119 and ISO-8601; CVE-2024-1234', null), []);
  assert.deepEqual(extractIssueKeys('nothing', 'release-2024'), [], 'release-N in a branch is not a key');
  assert.deepEqual(extractIssueKeys('nothing', 'bump-lodash-to-4'), [], 'lower case only counts at the start of a path segment');
  assert.deepEqual(extractIssueKeys('ABC-1 DEF-2', 'XYZ-3'), ['XYZ-3', 'ABC-1', 'DEF-2']);
  assert.deepEqual(extractIssueKeys('ABC-1 DEF-2', 'feature/xyz-3', ['def', 'xyz']), ['XYZ-3', 'DEF-2'], 'with prefixes only those count');
  assert.deepEqual(extractIssueKeys('x-1 lowercase in messages is ignored; PROJ-0 is not a key', null), []);
});

test('prNumberSuffix and parseMergeSubject read pull request numbers and branches', () => {
  assert.equal(prNumberSuffix('Add login (#123)'), 123);
  assert.equal(prNumberSuffix('Add login (!45) '), 45);
  assert.equal(prNumberSuffix('Add login #123'), null);
  assert.deepEqual(parseMergeSubject('Merge pull request #12 from ada/feature/login'), { branch: 'feature/login', pr: 12 });
  assert.deepEqual(parseMergeSubject("Merge branch 'feature/x' into main"), { branch: 'feature/x', pr: null });
  assert.deepEqual(parseMergeSubject("Merge remote-tracking branch 'origin/fix-1'"), { branch: 'fix-1', pr: null });
  assert.deepEqual(parseMergeSubject("Merge branch 'feat' into 'main'", "Merge branch 'feat' into 'main'\n\nSee merge request group/app!77"), { branch: 'feat', pr: 77 });
  assert.deepEqual(parseMergeSubject('Merged in bugfix/y (pull request #3)'), { branch: 'bugfix/y', pr: 3 });
  assert.deepEqual(parseMergeSubject('Something else'), { branch: null, pr: null });
});

test('parseLog reads records with numstat, renames, binaries, empty bodies and garbage', () => {
  const rec = (hash: string, parents: string, msg: string, stats: string) =>
    `\x1e${hash}\x1f${parents}\x1f${H('t')}\x1fAda\x1fada@x.io\x1f2024-05-01T10:00:00+02:00\x1f2024-05-01T10:05:00+02:00\x1frefs/heads/main\x1f${msg}\x1f${stats}`;
  const out =
    rec(H('a'), `${H('b')} ${H('c')}`, "Merge branch 'x'\n", '\0') +
    rec(H('b'), H('c'), 'feat: x\n\nbody\n', '\0\n3\t1\tsrc/a.ts\0-\t-\timg.png\0' + '0\t0\t\0old name.txt\0new name.txt\0') +
    rec(H('c'), '', '', '') +
    '\x1enot-a-hash\x1fjunk';
  const { commits, skipped } = parseLog(out);
  assert.equal(skipped, 1);
  assert.equal(commits.length, 3);
  const [merge, feat, root] = commits;
  assert.deepEqual(merge?.parents, [H('b'), H('c')]);
  assert.deepEqual(merge?.files, []);
  assert.equal(feat?.message, 'feat: x\n\nbody\n');
  assert.deepEqual(feat?.files, [
    { path: 'src/a.ts', added: 3, removed: 1 },
    { path: 'img.png', added: null, removed: null },
    { path: 'new name.txt', added: 0, removed: 0, from: 'old name.txt' },
  ]);
  assert.equal(feat?.authoredMs, Date.parse('2024-05-01T08:00:00Z'));
  assert.equal(root?.message, '');
  assert.deepEqual(root?.parents, []);
  assert.equal(branchOfSource('refs/heads/feature/x'), 'feature/x');
  assert.equal(branchOfSource('HEAD'), null);
  assert.equal(branchOfSource('refs/tags/v1'), null);
});

test('parseLog reads what real git prints, including renames, spaces and newlines in paths', async (t) => {
  const dir = tempDir(t);
  initRepo(dir);
  commit(dir, 'feat(ui): add files\n\nCo-authored-by: Bob <bob@example.com>', { 'src/a b.txt': 'one\ntwo\n', 'odd\nname.txt': 'x\n', 'bin.dat': '\0\x01\x02' });
  git(dir, ['mv', 'src/a b.txt', 'src/c.txt']);
  commit(dir, 'refactor: rename', { 'src/c.txt': 'one\ntwo\nthree\n' });
  git(dir, ['checkout', '-q', '-b', 'side', 'HEAD~1']);
  commit(dir, 'side work', { 'side.txt': 's\n' });
  git(dir, ['checkout', '-q', 'main']);
  git(dir, ['merge', '-q', '--no-ff', 'side', '-m', "Merge branch 'side'"]);
  const out = await gitAt(dir).raw(logArgs({ revs: ['main'], reverse: true }));
  const { commits, skipped } = parseLog(out);
  assert.equal(skipped, 0);
  assert.equal(commits.length, 5);
  assert.equal(commits[0]?.message, 'chore: initial commit\n', 'oldest first with reverse');
  assert.equal(commits[4]?.message, "Merge branch 'side'\n");
  const add = commits.find((c) => c.message.startsWith('feat(ui)'));
  assert.deepEqual(
    add?.files.map((f) => [f.path, f.added, f.removed]).sort(),
    [['bin.dat', null, null], ['odd\nname.txt', 1, 0], ['src/a b.txt', 2, 0]],
  );
  const rename = commits.find((c) => c.message.startsWith('refactor'));
  assert.deepEqual(rename?.files, [{ path: 'src/c.txt', from: 'src/a b.txt', added: 1, removed: 0 }]);
  const merge = commits.find((c) => c.parents.length === 2);
  assert.ok(merge, 'the merge commit is there, with two parents');
  // The streaming parser gives the same commits whatever the chunk boundaries.
  for (const size of [1, 7, 64, 4096]) {
    const streamed: RawCommit[] = [];
    const p = new LogStreamParser((c) => streamed.push(c));
    for (let i = 0; i < out.length; i += size) p.push(out.slice(i, i + size));
    p.end();
    assert.deepEqual(streamed, commits, `chunks of ${size}`);
    assert.equal(p.seen, 5);
  }
  const data = toCommitData(add!, { repo: dir, maxFiles: 2, imported: false });
  assert.equal(data.branch, 'main');
  assert.deepEqual(data.conventional, { type: 'feat', scope: 'ui', breaking: false });
  assert.deepEqual(data.trailers, [{ key: 'Co-authored-by', value: 'Bob <bob@example.com>' }]);
  assert.equal(data.files.length, 2, 'bounded by maxFiles');
  assert.equal(data.filesTruncated, true);
  assert.deepEqual(data.stats, { files: 3, added: 3, removed: 0 }, 'totals count every file');
  assert.deepEqual(data.author, { name: 'Ada Lovelace', email: 'ada@example.com' });
});

const ref = (name: string, hash: string, extra: Partial<RefEntry> = {}): RefEntry => ({ name, hash, type: 'commit', peeled: null, tree: H('f'), symref: null, dateMs: 0, ...extra });

test('parseRefs, parseHeadFile and pickDefaultBranch', () => {
  const refs = parseRefs(`refs/heads/main\0${H('a')}\0commit\0\0${H('t')}\0\0${1700000000}\nrefs/tags/v1\0${H('b')}\0tag\0${H('a')}\0\0\0${1700000001}\nrefs/remotes/origin/HEAD\0${H('a')}\0commit\0\0${H('t')}\0refs/remotes/origin/trunk\0${1700000000}\n`);
  assert.equal(refs.length, 3);
  assert.deepEqual(refs[1], { name: 'refs/tags/v1', hash: H('b'), type: 'tag', peeled: H('a'), tree: null, symref: null, dateMs: 1700000001000 });
  assert.deepEqual(parseHeadFile('ref: refs/heads/main\n'), { ref: 'refs/heads/main', hash: null });
  assert.deepEqual(parseHeadFile(`${H('a')}\n`), { ref: null, hash: H('a') });
  assert.deepEqual(parseHeadFile('garbage'), { ref: null, hash: null });
  assert.equal(pickDefaultBranch([ref('refs/heads/trunk', H('a')), ref('refs/heads/main', H('b')), ref('refs/remotes/origin/HEAD', H('a'), { symref: 'refs/remotes/origin/trunk' })], ['main'], []), 'trunk', "the remote's HEAD wins");
  assert.equal(pickDefaultBranch([ref('refs/heads/master', H('a')), ref('refs/heads/x', H('b'))], ['main', 'master'], []), 'master');
  assert.equal(pickDefaultBranch([ref('refs/heads/x', H('a')), ref('refs/heads/y', H('b'))], ['main'], [{ branch: 'y', hash: H('b') }]), 'y');
  assert.equal(pickDefaultBranch([], ['main'], []), null);
});

test('diffState finds created, deleted, moved branches, tags, switches and new stashes', () => {
  const prev = buildState(
    [ref('refs/heads/main', H('1')), ref('refs/heads/old', H('2')), ref('refs/heads/moving', H('3')), ref('refs/tags/v1', H('1')), ref('refs/stash', H('8'))],
    { '/w': { ref: 'refs/heads/main', hash: null }, '/w2': { ref: null, hash: H('4') } },
    ['main'],
    null,
  );
  assert.deepEqual(prev.stashSeen, [H('8')]);
  const next = buildState(
    [ref('refs/heads/main', H('1')), ref('refs/heads/new', H('5')), ref('refs/heads/moving', H('6')), ref('refs/tags/v1', H('7')), ref('refs/tags/v2', H('1')), ref('refs/stash', H('9'))],
    { '/w': { ref: 'refs/heads/new', hash: null }, '/w2': { ref: null, hash: H('a') }, '/w3': { ref: 'refs/heads/main', hash: null } },
    ['main'],
    prev,
  );
  const d = diffState(prev, next);
  assert.deepEqual(d.branchesCreated, [{ name: 'new', hash: H('5') }]);
  assert.deepEqual(d.branchesDeleted, [{ name: 'old', hash: H('2') }]);
  assert.deepEqual(d.branchesMoved, [{ name: 'moving', from: H('3'), to: H('6') }]);
  assert.deepEqual(d.tagsCreated, [{ name: 'v1', hash: H('7'), replaced: H('1') }, { name: 'v2', hash: H('1'), replaced: null }]);
  assert.deepEqual(d.headsSwitched, [{ worktree: '/w', from: 'main', to: 'new', hash: H('5') }], 'a new worktree (/w3) is no switch');
  assert.deepEqual(d.detachedMoved, [{ worktree: '/w2', from: H('4'), to: H('a') }]);
  assert.equal(d.stashCreated, H('9'));
  // After "git stash pop" the stash ref goes back to an entry seen before: no new stash.
  const popped = buildState([ref('refs/heads/main', H('1')), ref('refs/stash', H('8'))], {}, ['main'], next);
  assert.equal(diffState(next, popped).stashCreated, null);
});

test('parseReflog and classifyReflog explain why a ref moved', () => {
  const text = `${H('0')} ${H('1')} Ada <ada@x> 1700000000 +0200\tcommit (initial): first\n${H('1')} ${H('2')} Ada <ada@x> 1700000100 -0130\tcommit (amend): first!\nbroken line\n`;
  const entries = parseReflog(text);
  assert.equal(entries.length, 2);
  assert.deepEqual(entries[1], { old: H('1'), new: H('2'), ms: 1700000100000, message: 'commit (amend): first!' });
  assert.equal(classifyReflog('commit (amend): x').kind, 'amend');
  assert.equal(classifyReflog('rebase (finish): refs/heads/f onto abc').kind, 'rebase');
  assert.equal(classifyReflog('rebase -i (finish): refs/heads/f onto abc').kind, 'rebase');
  assert.equal(classifyReflog('reset: moving to HEAD~2').kind, 'reset');
  assert.equal(classifyReflog('branch: Reset to main').kind, 'reset');
  assert.deepEqual(classifyReflog('merge feature/x: Fast-forward'), { kind: 'fast-forward', merged: 'feature/x' });
  assert.equal(classifyReflog('pull: Fast-forward').kind, 'pull');
  assert.equal(classifyReflog('commit: normal').kind, 'commit');
  assert.equal(classifyReflog('commit (merge): Merge x').kind, 'merge');
  assert.equal(classifyReflog('something new').kind, 'other');
  assert.deepEqual(parseStashMessage('WIP on main: abc123 fix it'), { branch: 'main', message: 'abc123 fix it' });
  assert.deepEqual(parseStashMessage('On feature/x: my note'), { branch: 'feature/x', message: 'my note' });
  assert.deepEqual(parseStashMessage('odd'), { branch: null, message: 'odd' });
});

test('detectMerge: merge commits, squash by PR suffix, squash message and tree match', () => {
  const base = { hash: H('a'), parents: [H('b')], tree: H('t'), subject: 'feat: x', message: 'feat: x' };
  const onMain = { branch: 'main', defaultBranch: 'main' };
  assert.deepEqual(detectMerge({ ...base, parents: [H('b'), H('c')], subject: "Merge branch 'f'" }, onMain), {
    hash: H('a'), into: 'main', kind: 'merge', evidence: 'parents', mergedBranch: 'f', mergedHash: H('c'), pr: null,
  });
  assert.equal(detectMerge({ ...base, subject: 'Add login (#42)' }, onMain)?.pr, 42);
  assert.equal(detectMerge({ ...base, subject: 'Add login (#42)' }, { branch: 'feature', defaultBranch: 'main' }), null, 'only on the default branch');
  assert.equal(detectMerge({ ...base, message: 'Squashed commit of the following:\n\ncommit 123' }, onMain)?.evidence, 'squash-message');
  const tips = [{ name: 'f', hash: H('c'), tree: H('t') }, { name: 'main', hash: H('a'), tree: H('t') }];
  assert.deepEqual(detectMerge(base, { ...onMain, tips }), { hash: H('a'), into: 'main', kind: 'squash', evidence: 'tree-match', mergedBranch: 'f', mergedHash: H('c'), pr: null });
  assert.equal(detectMerge(base, onMain), null, 'a plain commit is no merge');
  assert.equal(sameChange([{ path: 'a', added: 1, removed: 0 }, { path: 'b', added: null, removed: null }], [{ path: 'b', added: null, removed: null }, { path: 'a', added: 1, removed: 0 }]), true);
  assert.equal(sameChange([{ path: 'a', added: 1, removed: 0 }], [{ path: 'a', added: 2, removed: 0 }]), false);
  assert.equal(sameChange([], []), false);
});

test('matchRepos and projectOf', () => {
  const known = ['/p/a/webapp', '/p/b/api', '/p/b/webapp-old'];
  assert.deepEqual(matchRepos('webapp', known), ['/p/a/webapp']);
  assert.deepEqual(matchRepos('b/api', known), ['/p/b/api']);
  assert.deepEqual(matchRepos('/p/b/api/', known), ['/p/b/api']);
  assert.deepEqual(matchRepos('nope', known), []);
  assert.equal(projectOf('/home/p/app/sub', ['/home/p', '/home/p/app']), '/home/p/app', 'the longest root wins');
  assert.equal(projectOf('/home/mono', ['/home/mono/packages/x']), '/home/mono/packages/x', 'a root inside the repository');
  assert.equal(projectOf('/elsewhere', ['/home/p']), null);
});

test('attributeBranches: the default branch keeps its first-parent line, merged sides get the merged branch', () => {
  const c = (hash: string, parents: string[], message: string, source: string | null = null) => ({
    hash: H(hash), parents: parents.map(H), tree: H('t'), authorName: 'A', authorEmail: 'a@x', authoredAt: '', committedAt: '', authoredMs: 0, committedMs: 0, source, message, files: [],
  });
  // main: 1 ← 2 ← M(2, s2) ← 4 ; side branch s1 ← s2 merged by M; feature f1 on top of 4 (unmerged).
  const log = [
    c('f', ['4'], 'f1', H('f')),
    c('4', ['m'], 'main 4', H('4')),
    c('m', ['2', 'b'], "Merge branch 'side'\n", H('4')),
    c('b', ['a'], 's2', H('4')),
    c('a', ['2'], 's1', H('4')),
    c('2', ['1'], 'main 2', H('4')),
    c('1', [], 'main 1', H('4')),
  ];
  const tips = new Map<string, string | null>([[H('4'), 'main'], [H('f'), 'feature']]);
  const b = attributeBranches(log, tips, 'main');
  assert.deepEqual(
    ['f', '4', 'm', 'b', 'a', '2', '1'].map((h) => b.get(H(h))),
    ['feature', 'main', 'main', 'side', 'side', 'main', 'main'],
  );
  const noDefault = attributeBranches(log, tips, null);
  assert.equal(noDefault.get(H('a')), 'side', 'the merge names its side even without a default branch');
  assert.equal(noDefault.get(H('1')), 'main', "the merge's first-parent line is the merge's branch");
  assert.equal(noDefault.get(H('f')), 'feature', 'the rest: the tip it was reached from');
});
