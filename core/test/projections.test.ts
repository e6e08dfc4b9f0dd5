// Projections: folds of the event log applied in the ingest transaction, caught up from a cursor,
// rebuilt on a version bump, isolated when they throw, and shared by processes on one database.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { definePlugin, type PluginContext, type ProjectionHandle, type SqlDatabase } from '@devflow/plugin-sdk';
import { openDatabase } from '../src/storage/database.js';
import { Projections } from '../src/storage/projections.js';
import { createTestKernel, eventSources, replay, type RecordedEvent } from '../src/testing/index.js';

interface Options {
  version?: number;
  /** Told `tx.continues` of every fold. */
  onApply?: (continues: boolean, first: number) => void;
  /** Throw when folding an event whose data.n equals this. */
  failOn?: number;
}

/** A plugin counting `src.*` events per type into its own table and emitting a derived event per tenth. */
function counter(options: Options = {}) {
  return definePlugin({
    id: 'counter',
    version: '1.0.0',
    kernel: '^1.0.0',
    migrations: [{ version: 1, name: 'counts', up: 'CREATE TABLE counter__counts (type TEXT PRIMARY KEY, n INTEGER NOT NULL, sum INTEGER NOT NULL)' }],
    start(ctx: PluginContext) {
      const handle = ctx.storage.projection({
        name: 'by-type',
        version: options.version ?? 1,
        types: ['src.*'],
        reset: (db) => db.exec('DELETE FROM counter__counts'),
        apply(events, tx) {
          options.onApply?.(tx.continues, Number(events[0]?.data.n));
          const up = tx.db.prepare('INSERT INTO counter__counts (type, n, sum) VALUES (?, 1, ?) ON CONFLICT (type) DO UPDATE SET n = n + 1, sum = sum + excluded.sum');
          for (const e of events) {
            const n = Number(e.data.n);
            if (n === options.failOn) throw new Error(`cannot fold n=${n}`);
            up.run(e.type, n);
            if (n % 10 === 0) tx.emit('counter.tenth.seen', { n }, { project: e.project, ts: e.ts });
          }
        },
      });
      return { handle, counts: () => counts(ctx.storage.db) };
    },
  });
}

function counts(db: SqlDatabase): Record<string, { n: number; sum: number }> {
  const out: Record<string, { n: number; sum: number }> = {};
  for (const r of db.prepare('SELECT type, n, sum FROM counter__counts ORDER BY type').all() as { type: string; n: number; sum: number }[]) out[r.type] = { n: r.n, sum: r.sum };
  return out;
}

function fixture(from: number, to: number): RecordedEvent[] {
  const out: RecordedEvent[] = [];
  for (let n = from; n <= to; n++) out.push({ type: n % 3 ? 'src.thing.changed' : 'src.other.seen', data: { n }, ts: 1_700_000_000_000 + n * 1000, project: '/p' });
  return out;
}

function home(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'devflow-proj-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

type Api = { handle: ProjectionHandle; counts(): ReturnType<typeof counts> };
const expected = { 'src.other.seen': { n: 1000, sum: 1_501_500 }, 'src.thing.changed': { n: 2000, sum: 3_000_000 } };

test('live: every stored event is folded in its own transaction, derived events follow the commit', async (t) => {
  const plugin = counter();
  const tk = await createTestKernel({ plugins: [plugin, ...eventSources(['src'])], t });
  const api = tk.use(plugin) as Api;
  await api.handle.ready;
  await replay(tk, fixture(1, 3000));
  assert.deepEqual(api.counts(), expected);
  const s = api.handle.status();
  assert.equal(s.state, 'live');
  assert.equal(s.lag, 0);
  tk.flush();
  await new Promise((r) => setImmediate(r));
  tk.flush();
  assert.equal(tk.events.filter((e) => e.type === 'counter.tenth.seen').length, 300);
});

test('after the fact: a plugin started on an existing log catches up to the same state, and emits derived events once', async (t) => {
  const dir = home(t);
  const a = await createTestKernel({ plugins: eventSources(['src']), home: dir });
  await replay(a, fixture(1, 3000));
  await a.close();

  const plugin = counter();
  const b = await createTestKernel({ plugins: [plugin, ...eventSources(['src'])], home: dir, t });
  const api = b.use(plugin) as Api;
  await api.handle.ready;
  assert.deepEqual(api.counts(), expected);
  b.flush();
  assert.equal(b.events.filter((e) => e.type === 'counter.tenth.seen').length, 300);

  // rebuild: same state, and no derived event emitted a second time
  await api.handle.rebuild();
  assert.deepEqual(api.counts(), expected);
  b.flush();
  assert.equal(b.events.filter((e) => e.type === 'counter.tenth.seen').length, 300);
  assert.equal(api.handle.status().state, 'live');
});

test('a version bump resets and re-folds; an unchanged version resumes from the cursor', async (t) => {
  const dir = home(t);
  const v1 = counter({ version: 1 });
  const a = await createTestKernel({ plugins: [v1, ...eventSources(['src'])], home: dir });
  await replay(a, fixture(1, 300));
  const cursor = (a.use(v1) as Api).handle.status().cursor;
  await a.close();

  const again = counter({ version: 1 });
  const b = await createTestKernel({ plugins: [again, ...eventSources(['src'])], home: dir });
  await (b.use(again) as Api).handle.ready;
  assert.equal((b.use(again) as Api).handle.status().cursor >= cursor, true);
  assert.equal((b.use(again) as Api).counts()['src.thing.changed']?.n, 200, 'resumed, not double-counted');
  await b.close();

  const v2 = counter({ version: 2 });
  const c = await createTestKernel({ plugins: [v2, ...eventSources(['src'])], home: dir, t });
  await (c.use(v2) as Api).handle.ready;
  assert.equal((c.use(v2) as Api).counts()['src.thing.changed']?.n, 200);
  c.flush();
  assert.equal(c.events.filter((e) => e.type === 'counter.tenth.seen').length, 0, 'a rebuild does not re-emit derived events');
});

test('a projection that throws stops with a coded error; the events are stored and other plugins keep going', async (t) => {
  const plugin = counter({ failOn: 50 });
  const tk = await createTestKernel({ plugins: [plugin, ...eventSources(['src'])], t });
  const api = tk.use(plugin) as Api;
  await api.handle.ready;
  const stored = await replay(tk, fixture(1, 100));
  assert.equal(stored.filter(Boolean).length, 100, 'every event is stored');
  const s = api.handle.status();
  assert.equal(s.state, 'failed');
  assert.match(s.error ?? '', /cannot fold n=50/);
  assert.ok(s.lag > 0);
  const logged = tk.logs.find((l) => l.code === 'KRN_ERR_PROJECTION_FAILED');
  assert.ok(logged, 'the failure is logged with its code');
  assert.equal(logged.plugin, 'counter');
  // the batch that held n=50 was rolled back as a whole for this projection only
  const total = Object.values(api.counts()).reduce((a, c) => a + c.n, 0);
  assert.ok(total < 50, `only events folded before the failing batch count (got ${total})`);
});

test('two kernels on one database: events one stores without the projection are folded by the other', async (t) => {
  const dir = home(t);
  const plugin = counter();
  const withProjection = await createTestKernel({ plugins: [plugin, ...eventSources(['src'])], home: dir, t });
  const without = await createTestKernel({ plugins: eventSources(['src']), home: dir, t });
  const api = withProjection.use(plugin) as Api;
  await api.handle.ready;
  await replay(without, fixture(1, 30));
  await replay(withProjection, fixture(31, 60));
  await replay(without, fixture(61, 90));
  await replay(withProjection, fixture(91, 120));
  assert.equal(Object.values(api.counts()).reduce((a, c) => a + c.n, 0), 120, 'each event folded exactly once');
  assert.equal(api.handle.status().lag, 0);
});

test('tx.continues: true only while this process made the previous fold, and it committed', async (t) => {
  const dir = home(t);
  const seen = { a: [] as [number, boolean][], b: [] as [number, boolean][] };
  const a = await createTestKernel({ plugins: [counter({ onApply: (c, n) => seen.a.push([n, c]) }), ...eventSources(['src'])], home: dir, t });
  const b = await createTestKernel({ plugins: [counter({ onApply: (c, n) => seen.b.push([n, c]) }), ...eventSources(['src'])], home: dir, t });
  const api = a.use(counter()) as Api;
  await api.handle.ready;
  await (b.use(counter()) as Api).handle.ready;
  for (const [k, from] of [[a, 1], [a, 11], [b, 21], [a, 31], [a, 41]] as const) await replay(k, fixture(from, from + 9));
  // (the first may continue a catch-up fold this process made of the kernel's own events: caches are empty then anyway)
  assert.deepEqual(seen.a.slice(1), [[11, true], [31, false], [41, true]], 'a run of its own folds, then b folded in between');
  assert.deepEqual(seen.b, [[21, false]]);
  await api.handle.rebuild();
  await replay(a, fixture(51, 52));
  assert.equal(seen.a.at(-1)?.[1], true, 'folds after the rebuild continue each other');
  const refolds = seen.a.filter(([n]) => n === 1);
  assert.equal(refolds.length, 2, 'the rebuild refolded from the start');
  assert.equal(refolds[1]?.[1], false, 'a rebuild does not continue the folds before it');
  assert.equal(Object.values(api.counts()).reduce((x, c) => x + c.n, 0), 52);
});

test('tx.continues is false after a fold whose transaction rolled back', (t) => {
  const dir = home(t);
  const db = openDatabase(join(dir, 'p.db'));
  t.after(() => db.close());
  const seen: boolean[] = [];
  const projections = new Projections(db, (err) => assert.fail(err.message));
  projections.register('p', { name: 'all', version: 1, types: ['*'], reset: () => {}, apply: (_e, tx) => void seen.push(tx.continues) }, () => {});
  const insert = db.prepare("INSERT INTO events (id, ts, type, source, project, severity, data) VALUES (?, 0, 'p.x.y', 'p', NULL, 'info', '{}')");
  let n = 0;
  const batch = () => {
    const seq = Number(insert.run(`id-${++n}`).lastInsertRowid);
    projections.applyInTransaction([{ seq, id: `id-${n}`, ts: 0, type: 'p.x.y', source: 'p', project: null, severity: 'info', data: {} }]);
  };
  return projections.ready().then(() => {
    const commit = () => (db.transaction(batch)(), projections.afterCommit());
    commit();
    commit();
    assert.throws(() => db.transaction(() => (batch(), assert.fail('the writer failed after the fold')))());
    commit();
    commit();
    assert.deepEqual(seen, [false, true, true, false, true], 'the fold after the rolled-back one starts afresh');
  });
});

test('a malformed projection is refused with KRN_ERR_PROJECTION_INVALID naming it', async (t) => {
  const bad = definePlugin({
    id: 'bad-proj',
    version: '1.0.0',
    kernel: '^1.0.0',
    start(ctx) {
      ctx.storage.projection({ name: 'Bad Name', version: 1, types: ['x.*'], reset() {}, apply() {} });
    },
  });
  const tk = await createTestKernel({ plugins: [bad], allowFailures: true, t });
  const problem = tk.report.problems.find((p) => p.plugin === 'bad-proj');
  assert.ok(problem);
  assert.match(problem.message, /KRN_ERR_PROJECTION_INVALID.*"Bad Name".*kebab-case/);
});
