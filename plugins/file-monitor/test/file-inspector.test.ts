// The inspector on real files: text, binary, huge, FIFO (never opened: it would block), symlink
// loops, vanished and unreadable files.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { inspectFile, nodeInspectorFs } from '../src/file-inspector.js';

const OPTS = { maxTextBytes: 1024, maxHashBytes: 64 * 1024 };

function dir(t: { after(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'fm-inspect-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('a text file: size, lines, text and a content key shared by equal content', async (t) => {
  const d = dir(t);
  writeFileSync(join(d, 'a.ts'), 'one\ntwo\n');
  writeFileSync(join(d, 'b.ts'), 'one\ntwo\n');
  const a = await inspectFile(join(d, 'a.ts'), OPTS);
  const b = await inspectFile(join(d, 'b.ts'), OPTS);
  assert.equal(a.type, 'file');
  assert.equal(a.size, 8);
  assert.equal(a.lines, 2);
  assert.equal(a.text, 'one\ntwo\n');
  assert.equal(a.problem, undefined);
  assert.equal(a.key, b.key);
  assert.match(a.key ?? '', /^8:[0-9a-f]{40}$/);
});

test('binary, large and huge files: no text, with the reason', async (t) => {
  const d = dir(t);
  writeFileSync(join(d, 'img.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]));
  writeFileSync(join(d, 'big.txt'), 'x\n'.repeat(1000));
  writeFileSync(join(d, 'huge.txt'), 'y\n'.repeat(40_000));
  const bin = await inspectFile(join(d, 'img.png'), OPTS);
  assert.deepEqual([bin.binary, bin.lines, bin.text, bin.problem], [true, null, undefined, { kind: 'binary' }]);
  const big = await inspectFile(join(d, 'big.txt'), OPTS);
  assert.deepEqual([big.lines, big.text, big.problem], [1000, undefined, { kind: 'huge', size: 2000 }], 'lines counted, not kept for diffs');
  const huge = await inspectFile(join(d, 'huge.txt'), OPTS);
  assert.deepEqual([huge.size, huge.lines, huge.problem], [80_000, null, { kind: 'huge', size: 80_000 }]);
  assert.match(huge.key ?? '', /^80000:[0-9a-f]{40}~$/, 'a partial hash');
});

test('a FIFO is reported as not a file and never opened; a directory is a directory', async (t) => {
  const d = dir(t);
  execFileSync('mkfifo', [join(d, 'pipe')]);
  mkdirSync(join(d, 'sub'));
  const f = await inspectFile(join(d, 'pipe'), OPTS);
  assert.deepEqual([f.type, f.problem], ['other', { kind: 'not-a-file' }]);
  assert.equal((await inspectFile(join(d, 'sub'), OPTS)).type, 'dir');
});

test('symlinks are not followed; loops are recognized', async (t) => {
  const d = dir(t);
  mkdirSync(join(d, 'src'));
  writeFileSync(join(d, 'src', 'a.ts'), 'a');
  symlinkSync('..', join(d, 'src', 'up'));
  symlinkSync('self', join(d, 'self'));
  symlinkSync('a.ts', join(d, 'src', 'alias.ts'));
  symlinkSync('missing.ts', join(d, 'dangling.ts'));
  assert.deepEqual((await inspectFile(join(d, 'src', 'up'), OPTS)).problem, { kind: 'symlink-loop', target: '..' });
  assert.deepEqual((await inspectFile(join(d, 'self'), OPTS)).problem, { kind: 'symlink-loop', target: 'self' });
  const alias = await inspectFile(join(d, 'src', 'alias.ts'), OPTS);
  assert.deepEqual([alias.type, alias.problem, alias.text], ['symlink', undefined, undefined]);
  assert.equal((await inspectFile(join(d, 'dangling.ts'), OPTS)).type, 'symlink');
});

test('vanished and unreadable files are reported, not thrown', async (t) => {
  const d = dir(t);
  assert.deepEqual((await inspectFile(join(d, 'gone.ts'), OPTS)).problem, { kind: 'vanished' });
  writeFileSync(join(d, 'locked.ts'), 'secret');
  const denied = {
    ...nodeInspectorFs,
    read: async () => {
      throw Object.assign(new Error("EACCES: permission denied, open 'locked.ts'"), { code: 'EACCES' });
    },
  };
  const f = await inspectFile(join(d, 'locked.ts'), { ...OPTS, fs: denied });
  assert.equal(f.problem?.kind, 'unreadable');
  assert.equal(f.problem?.kind === 'unreadable' && f.problem.code, 'EACCES');
  assert.equal(f.size, 6, 'the size from stat is still known');
});
