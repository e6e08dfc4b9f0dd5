// Line deltas, checked against `git diff --numstat` on real files, and the binary/line helpers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { countLines, countLinesInBytes, isBinary, lineDelta } from '../src/line-delta.js';

function gitNumstat(dir: string, before: string, after: string): [number, number] {
  const a = join(dir, 'a.txt');
  const b = join(dir, 'b.txt');
  writeFileSync(a, before);
  writeFileSync(b, after);
  let out = '';
  try {
    out = execFileSync('git', ['diff', '--no-index', '--numstat', '--diff-algorithm=myers', a, b], { encoding: 'utf8' });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? ''); // exit 1 = files differ
  }
  const [added, removed] = out.trim().split(/\s+/);
  return [Number(added ?? 0), Number(removed ?? 0)];
}

test('lineDelta counts like git diff --numstat', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fm-delta-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const base = Array.from({ length: 60 }, (_, i) => `line ${i}`).join('\n') + '\n';
  const lines = base.split('\n').slice(0, -1);
  const cases: [string, string][] = [
    [base, base.replace('line 10\n', 'line ten\n')],
    [base, base + 'extra 1\nextra 2\n'],
    [base, lines.filter((_, i) => i % 7 !== 0).join('\n') + '\n'],
    [base, ['header', ...lines.slice(0, 30), 'middle', ...lines.slice(35)].join('\n') + '\n'],
    ['a\nb\nc\n', 'c\nb\na\n'],
    ['one\ntwo', 'one\ntwo\n'],
  ];
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let r = 0; r < 10; r++) {
    const edited = lines.flatMap((l) => (rnd() < 0.1 ? [] : rnd() < 0.1 ? [`${l} changed`] : rnd() < 0.05 ? [l, 'inserted'] : [l]));
    cases.push([base, edited.join('\n') + '\n']);
  }
  for (const [before, after] of cases) {
    const d = lineDelta(before, after);
    assert.deepEqual([d.added, d.removed], gitNumstat(dir, before, after), JSON.stringify(after.slice(0, 60)));
    assert.equal(d.exact, true);
  }
});

test('lineDelta: trivial cases, and a rewrite past maxEditLength falls back to a multiset count', () => {
  assert.deepEqual(lineDelta('a\n', 'a\n'), { added: 0, removed: 0, exact: true });
  assert.deepEqual(lineDelta('', 'a\nb\n'), { added: 2, removed: 0, exact: true });
  assert.deepEqual(lineDelta('a\nb\n', ''), { added: 0, removed: 2, exact: true });
  const before = Array.from({ length: 500 }, (_, i) => `old ${i}`).join('\n') + '\n';
  const after = Array.from({ length: 400 }, (_, i) => `new ${i}`).join('\n') + '\nold 1\n';
  const d = lineDelta(before, after, 50);
  assert.deepEqual(d, { added: 400, removed: 499, exact: false });
});

test('countLines and isBinary', () => {
  assert.equal(countLines(''), 0);
  assert.equal(countLines('a'), 1);
  assert.equal(countLines('a\n'), 1);
  assert.equal(countLines('a\nb'), 2);
  assert.equal(countLines('a\n\n'), 2);
  assert.equal(countLinesInBytes(Buffer.from('a\nb')), 2);
  assert.equal(countLinesInBytes(Buffer.from('a\nb\n')), 2);
  assert.equal(isBinary(Buffer.from('plain text ünïcode\n')), false);
  assert.equal(isBinary(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01])), true);
  const lateNul = Buffer.alloc(9000, 0x61);
  lateNul[8500] = 0;
  assert.equal(isBinary(lateNul), false, 'only the first 8000 bytes are looked at, as git does');
});
