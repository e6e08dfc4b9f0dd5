import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isCompleteJsonObject, readNewLines, type TailPosition } from '../src/tailer.js';

const opts = { maxBytes: 1 << 20, maxLineBytes: 1 << 16, isComplete: isCompleteJsonObject };

function tmp(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ai-tail-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('reads appended lines across calls and keeps a partial last line for later', async (t) => {
  const f = join(tmp(t), 'a.jsonl');
  writeFileSync(f, '{"n":1}\n{"n":2}\n{"n":3');
  const r1 = await readNewLines(f, undefined, opts);
  assert.deepEqual(r1.lines, ['{"n":1}', '{"n":2}']);
  assert.equal(r1.offset, 16, 'the offset stays before the partial line');
  assert.equal(r1.reset, false);
  const pos: TailPosition = { ino: r1.ino, offset: r1.offset };

  const again = await readNewLines(f, pos, opts);
  assert.deepEqual(again.lines, [], 'nothing new: the partial line is not consumed twice or early');
  assert.equal(again.offset, 16);

  appendFileSync(f, '}\n{"n":4}\r\n\n');
  const r2 = await readNewLines(f, pos, opts);
  assert.deepEqual(r2.lines, ['{"n":3}', '{"n":4}'], 'the completed line once, CRLF stripped, blank lines skipped');
  assert.equal(r2.offset, r2.size);
});

test('an unterminated last line that is a whole JSON object is consumed; a later newline adds nothing', async (t) => {
  const f = join(tmp(t), 'b.jsonl');
  writeFileSync(f, '{"n":1}\n{"n":2}');
  const r1 = await readNewLines(f, undefined, opts);
  assert.deepEqual(r1.lines, ['{"n":1}', '{"n":2}']);
  assert.equal(r1.offset, r1.size);
  appendFileSync(f, '\n{"n":3}\n');
  const r2 = await readNewLines(f, { ino: r1.ino, offset: r1.offset }, opts);
  assert.deepEqual(r2.lines, ['{"n":3}']);
  // Without isComplete the same text is left alone.
  const r3 = await readNewLines(f, undefined, { ...opts, isComplete: undefined });
  assert.equal(r3.lines.length, 3);
});

test('a truncated file and a replaced file (new inode) are read again from the start', async (t) => {
  const dir = tmp(t);
  const f = join(dir, 'c.jsonl');
  writeFileSync(f, '{"n":1}\n{"n":2}\n');
  const r1 = await readNewLines(f, undefined, opts);
  truncateSync(f, 0);
  writeFileSync(f, '{"n":9}\n');
  const r2 = await readNewLines(f, { ino: r1.ino, offset: r1.offset }, opts);
  assert.equal(r2.reset, true, 'smaller than the offset: truncated');
  assert.deepEqual(r2.lines, ['{"n":9}']);

  // Rewritten in place, same inode, longer than before: the byte before the offset is not a line end.
  writeFileSync(f, '{"n":10,"pad":"........"}\n{"n":11}\n');
  const rw = await readNewLines(f, { ino: r2.ino, offset: r2.offset }, opts);
  assert.equal(rw.reset, true, 'rewritten in place');
  assert.equal(rw.lines.length, 2);

  const other = join(dir, 'c.new');
  writeFileSync(other, '{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n');
  renameSync(other, f);
  const r3 = await readNewLines(f, { ino: rw.ino, offset: rw.offset }, opts);
  assert.notEqual(r3.ino, r2.ino);
  assert.equal(r3.reset, true, 'another inode: replaced');
  assert.equal(r3.lines.length, 4);
});

test('over-long lines are skipped and counted, even across calls; a byte budget splits big reads', async (t) => {
  const dir = tmp(t);
  const f = join(dir, 'd.jsonl');
  const small = { ...opts, maxLineBytes: 100 };
  writeFileSync(f, `{"n":1}\n{"big":"${'x'.repeat(500)}"}\n{"n":2}\n`);
  const r1 = await readNewLines(f, undefined, { ...small, blockBytes: 64 });
  assert.deepEqual(r1.lines, ['{"n":1}', '{"n":2}']);
  assert.equal(r1.skipped, 1);

  const g = join(dir, 'e.jsonl');
  writeFileSync(g, `{"n":1}\n{"big":"${'y'.repeat(300)}`);
  const r2 = await readNewLines(g, undefined, { ...small, blockBytes: 64 });
  assert.equal(r2.skipping, true, 'still inside the long line at the end of the file');
  assert.equal(r2.offset, r2.size);
  appendFileSync(g, `${'y'.repeat(50)}"}\n{"n":2}\n`);
  const r3 = await readNewLines(g, { ino: r2.ino, offset: r2.offset, skipping: r2.skipping }, { ...small, blockBytes: 64 });
  assert.deepEqual(r3.lines, ['{"n":2}'], 'the rest of the long line is skipped, the next line read');

  const h = join(dir, 'f.jsonl');
  writeFileSync(h, Array.from({ length: 100 }, (_, i) => JSON.stringify({ i })).join('\n') + '\n');
  const seen: string[] = [];
  let pos: TailPosition | undefined;
  for (let k = 0; k < 100; k++) {
    const r = await readNewLines(h, pos, { ...opts, maxBytes: 200, blockBytes: 128 });
    seen.push(...r.lines);
    pos = { ino: r.ino, offset: r.offset };
    if (!r.more) break;
  }
  assert.equal(seen.length, 100);
  assert.deepEqual(seen.map((l) => (JSON.parse(l) as { i: number }).i), Array.from({ length: 100 }, (_, i) => i), 'every line once, in order');
});

test('multi-byte characters split across read blocks are decoded intact', async (t) => {
  const f = join(tmp(t), 'u.jsonl');
  const line = JSON.stringify({ s: 'é🙂'.repeat(40) });
  writeFileSync(f, `${line}\n${line}\n`);
  const r = await readNewLines(f, undefined, { ...opts, blockBytes: 7 });
  assert.deepEqual(r.lines, [line, line]);
});
