// The coalescer alone, in simulated time: folding, repeated saves, bursts and bulks, and the
// accounting rule that every notification ends up in exactly one output's count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Coalescer, foldKind, summarizeBulk, type ChangeKind, type CoalescedOutput, type CoalescerOptions } from '../src/coalescer.js';

const OPTS: CoalescerOptions = { settleMs: 20, coalesceMs: 2000, burstWindowMs: 1000, holdThreshold: 3, quietMs: 300, bulkThreshold: 50, maxHoldMs: 5000 };

/** Drain at every deadline up to `until`, collecting outputs. */
function run(c: Coalescer, from: number, until: number): CoalescedOutput[] {
  const out: CoalescedOutput[] = [];
  let now = from;
  for (let i = 0; i < 100_000; i++) {
    const d = c.nextDeadline();
    if (d === undefined || d > until) break;
    now = Math.max(now, d);
    out.push(...c.drain(now));
  }
  return out;
}

const total = (outs: readonly CoalescedOutput[]) => outs.reduce((n, o) => n + o.count, 0);
const changes = (outs: readonly CoalescedOutput[]) => outs.filter((o): o is Extract<CoalescedOutput, { type: 'change' }> => o.type === 'change');

test('foldKind nets two notifications', () => {
  const cases: [ChangeKind | undefined, ChangeKind, string][] = [
    [undefined, 'modified', 'modified'],
    ['created', 'modified', 'created'],
    ['created', 'deleted', 'transient'],
    ['modified', 'deleted', 'deleted'],
    ['modified', 'created', 'modified'],
    ['deleted', 'created', 'modified'],
    ['deleted', 'deleted', 'deleted'],
  ];
  for (const [a, b, want] of cases) assert.equal(foldKind(a, b), want, `${a} + ${b}`);
});

test('a lone save goes out after settleMs, not before', () => {
  const c = new Coalescer(OPTS);
  c.push('src/a.ts', 'modified', 1000);
  assert.deepEqual(c.drain(1010), []);
  assert.equal(c.nextDeadline(), 1020);
  assert.deepEqual(c.drain(1020), [{ type: 'change', path: 'src/a.ts', kind: 'modified', count: 1, firstAt: 1000, lastAt: 1000 }]);
  assert.equal(c.busy, false);
});

test('repeated saves of one file: the first goes out, the rest within coalesceMs fold into one event with a count', () => {
  const c = new Coalescer(OPTS);
  const out: CoalescedOutput[] = [];
  c.push('a.ts', 'modified', 0);
  out.push(...c.drain(20));
  for (let t = 100; t <= 1900; t += 100) c.push('a.ts', 'modified', t); // 19 more saves
  out.push(...run(c, 20, 10_000));
  const ch = changes(out);
  assert.equal(ch.length, 2);
  assert.deepEqual(ch.map((o) => o.count), [1, 19]);
  assert.equal(ch[1]?.lastAt, 1900);
  assert.equal(total(out), 20);
});

test('a new file written several times is one "created" event; created then removed is transient', () => {
  const c = new Coalescer(OPTS);
  c.push('n.ts', 'created', 0);
  c.push('n.ts', 'modified', 5);
  c.push('n.ts', 'modified', 10);
  c.push('tmp.ts', 'created', 0);
  c.push('tmp.ts', 'deleted', 3);
  const out = run(c, 0, 10_000);
  assert.deepEqual(changes(out).map((o) => [o.path, o.kind, o.count]), [['n.ts', 'created', 3]]);
  assert.deepEqual(out.filter((o) => o.type === 'transient').map((o) => [o.type === 'transient' && o.path, o.count]), [['tmp.ts', 2]]);
  assert.equal(total(out), 5);
});

test('a save-all of two files goes out at once; three or more are held until quiet, then go out one by one', () => {
  const two = new Coalescer(OPTS);
  two.push('a.ts', 'modified', 0);
  two.push('b.ts', 'modified', 1);
  assert.equal(changes(two.drain(21)).length, 2);

  const five = new Coalescer(OPTS);
  for (let i = 0; i < 5; i++) five.push(`f${i}.ts`, 'modified', i);
  assert.deepEqual(five.drain(30), [], 'held: a burst may be starting');
  assert.equal(five.nextDeadline(), 4 + 300);
  const out = five.drain(304);
  assert.equal(changes(out).length, 5);
  assert.equal(total(out), 5);
});

test('a formatter touching 2,000 files becomes one bulk event whose counts add up exactly', () => {
  const c = new Coalescer(OPTS);
  // written over 400 ms, some files twice (a formatter plus an import sorter)
  let pushes = 0;
  for (let i = 0; i < 2000; i++) {
    c.push(`src/m${i % 10}/f${i}.ts`, 'modified', Math.floor(i / 5));
    pushes++;
    if (i % 100 === 0) (c.push(`src/m${i % 10}/f${i}.ts`, 'modified', Math.floor(i / 5) + 1), pushes++);
  }
  const out = run(c, 0, 60_000);
  const bulks = out.filter((o): o is Extract<CoalescedOutput, { type: 'bulk' }> => o.type === 'bulk');
  assert.equal(bulks.length, 1, JSON.stringify(out.map((o) => [o.type, o.count])));
  assert.ok(changes(out).length <= 2, 'at most the first file or two go out on their own');
  assert.equal(total(out), pushes, 'every notification is counted once');
  const files = new Set([...changes(out).map((o) => o.path), ...(bulks[0]?.items.map((it) => it.path) ?? [])]);
  assert.equal(files.size, 2000, 'every file is accounted for');
  const s = summarizeBulk(bulks[0]?.items ?? [], { sampleSize: 5 });
  assert.equal(s.byKind.modified, s.files);
  assert.equal(s.sample.length, 5);
  assert.equal(s.topDirs.length, 5);
  assert.ok(s.topDirs.every((d) => d.dir.startsWith('src/m')));
});

test('a burst that never stops is cut into bulks of at most maxHoldMs, and nothing is lost', () => {
  const c = new Coalescer(OPTS);
  let pushes = 0;
  const out: CoalescedOutput[] = [];
  for (let t = 0; t < 12_000; t += 10) {
    c.push(`gen/f${t}.ts`, 'created', t);
    pushes++;
    if (t % 50 === 0) out.push(...c.drain(t));
  }
  out.push(...run(c, 12_000, 100_000));
  const bulks = out.filter((o) => o.type === 'bulk');
  assert.ok(bulks.length >= 2 && bulks.length <= 4, `bulks: ${bulks.length}`);
  for (const b of bulks) assert.ok(b.type === 'bulk' && b.lastAt - b.firstAt <= OPTS.maxHoldMs + 100);
  assert.equal(total(out), pushes);
});

test('deletions skip the coalescing window', () => {
  const c = new Coalescer(OPTS);
  c.push('a.ts', 'modified', 0);
  assert.equal(changes(c.drain(20)).length, 1);
  c.push('a.ts', 'deleted', 100);
  assert.deepEqual(changes(c.drain(120)).map((o) => o.kind), ['deleted'], 'not held for the 2 s window');
});

test('a file created in a bulk and removed before the bulk closed leaves the bulk as transient', () => {
  const c = new Coalescer({ ...OPTS, bulkThreshold: 10 });
  for (let i = 0; i < 20; i++) c.push(`g/f${i}.ts`, 'created', i);
  assert.deepEqual(c.drain(40).filter((o) => o.type !== 'transient'), [], 'bulk under way');
  c.push('g/f3.ts', 'deleted', 50);
  const out = run(c, 50, 10_000);
  const bulk = out.find((o) => o.type === 'bulk');
  assert.ok(bulk && bulk.type === 'bulk');
  assert.equal(bulk.items.length, 19);
  assert.equal(bulk.count, 19);
  assert.deepEqual(out.filter((o) => o.type === 'transient').map((o) => o.count), [2]);
  assert.equal(total(out), 21);
});

test('random notifications: counts always add up to the pushes, and nothing is left behind', () => {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const kinds: ChangeKind[] = ['created', 'modified', 'modified', 'deleted'];
  for (let round = 0; round < 20; round++) {
    const c = new Coalescer({ ...OPTS, bulkThreshold: 2 + Math.floor(rnd() * 40) });
    const out: CoalescedOutput[] = [];
    let t = 0;
    const n = 200 + Math.floor(rnd() * 2000);
    for (let i = 0; i < n; i++) {
      t += Math.floor(rnd() * (rnd() < 0.1 ? 800 : 15));
      c.push(`d${Math.floor(rnd() * 5)}/f${Math.floor(rnd() * 150)}.ts`, kinds[Math.floor(rnd() * 4)] as ChangeKind, t);
      if (rnd() < 0.3) out.push(...c.drain(t));
    }
    out.push(...c.drain(Infinity));
    assert.equal(total(out), n, `round ${round}`);
    assert.equal(c.busy, false);
    assert.equal(c.received, n);
  }
});
