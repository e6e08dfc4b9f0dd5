import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RenamePairer } from '../src/rename-pairer.js';

test('a creation with the content of a held deletion is a rename', () => {
  const p = new RenamePairer<string>(150);
  p.add({ path: 'src/old.ts', key: '10:abc', at: 0, info: 'x' });
  p.add({ path: 'src/other.ts', key: '12:def', at: 0, info: 'y' });
  const m = p.match('lib/new.ts', '10:abc');
  assert.equal(m?.deleted.path, 'src/old.ts');
  assert.equal(m?.by, 'content');
  assert.equal(m?.deleted.info, 'x');
  assert.equal(p.size, 1);
  assert.equal(p.match('lib/z.ts', '99:zzz'), undefined, 'different content: no rename');
});

test('with several deletions of the same content, the one with the same file name wins', () => {
  const p = new RenamePairer(150);
  p.add({ path: 'a/copy.ts', key: 'k', at: 0, info: null });
  p.add({ path: 'b/util.ts', key: 'k', at: 1, info: null });
  assert.equal(p.match('c/util.ts', 'k')?.deleted.path, 'b/util.ts');
});

test('a deletion of never-seen content pairs only by an unambiguous name', () => {
  const p = new RenamePairer(150);
  p.add({ path: 'src/a/button.tsx', key: null, at: 0, info: null });
  assert.deepEqual(
    (({ deleted, by }) => [deleted.path, by])(p.match('src/b/button.tsx', '5:x') ?? { deleted: { path: '' }, by: '' }),
    ['src/a/button.tsx', 'name'],
    'moved to another directory, same name',
  );
  p.add({ path: 'docs/one.md', key: null, at: 0, info: null });
  assert.equal(p.match('docs/two.md', '5:y')?.deleted.path, 'docs/one.md', 'renamed in place: the only deletion in the directory with that extension');
  p.add({ path: 'x/a.ts', key: null, at: 0, info: null });
  p.add({ path: 'x/b.ts', key: null, at: 0, info: null });
  assert.equal(p.match('x/c.ts', '5:z'), undefined, 'two candidates: ambiguous, no rename');
  assert.equal(p.match('x/a.md', '5:z'), undefined, 'other extension, other name');
});

test('a deletion nobody claims within the window comes back as a plain deletion', () => {
  const p = new RenamePairer(150);
  p.add({ path: 'a.ts', key: 'k1', at: 100, info: null });
  p.add({ path: 'b.ts', key: 'k2', at: 200, info: null });
  assert.equal(p.nextDeadline(), 250);
  assert.deepEqual(p.expire(249), []);
  assert.deepEqual(p.expire(250).map((d) => d.path), ['a.ts']);
  assert.deepEqual(p.takeAll().map((d) => d.path), ['b.ts']);
  assert.equal(p.nextDeadline(), undefined);
});

test('a file is never a rename of itself', () => {
  const p = new RenamePairer(150);
  p.add({ path: 'a.ts', key: 'k', at: 0, info: null });
  assert.equal(p.match('a.ts', 'k'), undefined);
});
