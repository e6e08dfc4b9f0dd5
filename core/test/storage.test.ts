// Storage layer: opening bad database files, the event log (batching, order, ids, queries,
// pagination), the outbox and its partial index, and a database that refuses writes mid-stream.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { definePlugin, type EmitOptions, type PluginContext, type StoredEvent } from '@devflow/plugin-sdk';
import { PluginError } from '../src/errors.js';
import { Kernel } from '../src/kernel.js';
import { openDatabase } from '../src/storage/database.js';
import { EventWriter } from '../src/storage/event-log.js';
import { EventReader, MAX_PAGE } from '../src/storage/event-reader.js';
import { createTestKernel } from '../src/testing/index.js';

const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'devflow-storage-'));
  t.after(() => {
    // a test may have taken write bits away; give them back so the tree can be removed
    if (existsSync(dir)) for (const f of readdirSync(dir, { recursive: true })) chmodSync(join(dir, String(f)), 0o755);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Kernel.open on a given database file, with no config file and no first-party plugins. */
function openKernel(dir: string, databasePath: string): Kernel {
  return Kernel.open({ plugins: [], config: { plugins: {} }, databasePath, cwd: dir, env: { DEVFLOW_HOME: dir }, watchConfig: false, logger: silentLogger() });
}

function silentLogger(): NonNullable<Parameters<typeof Kernel.open>[0]>['logger'] {
  // a pino-compatible logger that drops everything (only Kernel.open's error matters here)
  const noop = () => {};
  const l: Record<string, unknown> = { level: 'silent', fatal: noop, error: noop, warn: noop, info: noop, debug: noop, trace: noop };
  l.child = () => l;
  return l as never;
}

function openError(fn: () => unknown): PluginError {
  try {
    const k = fn() as Kernel | undefined;
    void k?.stop();
  } catch (e) {
    assert.ok(e instanceof PluginError, `expected a PluginError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the open to throw');
}

/** A plugin that hands its context out, so a test can emit in its namespace. */
function emitter(id: string) {
  let ctx: PluginContext | undefined;
  const plugin = definePlugin({
    id,
    version: '1.0.0',
    kernel: '^1.0.0',
    start(c) {
      ctx = c as unknown as PluginContext;
    },
  });
  const emit = (type: string, data: Record<string, unknown> = {}, options?: EmitOptions) => {
    assert.ok(ctx, `${id} is not started`);
    return ctx.events.emit(`${id}.${type}`, data, options) as Promise<StoredEvent | undefined>;
  };
  return { plugin, emit };
}

async function stored(p: Promise<StoredEvent | undefined>): Promise<StoredEvent> {
  const e = await p;
  assert.ok(e, 'event was dropped');
  return e;
}

describe('bad database files', () => {
  test('a text file is refused with KRN_ERR_STORAGE_NOT_SQLITE, naming the path and a fix, and is left untouched', (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'devflow.db');
    const bytes = Buffer.from('this is my shopping list, not a database\n'.repeat(50));
    writeFileSync(file, bytes);
    const err = openError(() => openKernel(dir, file));
    assert.equal(err.code, 'KRN_ERR_STORAGE_NOT_SQLITE');
    assert.ok(err.message.includes(file), err.message);
    assert.match(err.detail, /move it aside|DEVFLOW_HOME/);
    assert.deepEqual(err.data, { path: file });
    assert.ok(readFileSync(file).equals(bytes), 'file bytes changed');
    assert.deepEqual(readdirSync(dir), ['devflow.db'], 'no -wal/-shm or other files may be left behind');
  });

  test('a file of random bytes is refused with KRN_ERR_STORAGE_NOT_SQLITE and left untouched', (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'random.db');
    let bytes = randomBytes(16 * 1024);
    while (bytes.subarray(0, 16).toString('latin1') === 'SQLite format 3\0') bytes = randomBytes(16 * 1024);
    writeFileSync(file, bytes);
    const err = openError(() => openKernel(dir, file));
    assert.equal(err.code, 'KRN_ERR_STORAGE_NOT_SQLITE');
    assert.ok(err.message.includes(file));
    assert.ok(readFileSync(file).equals(bytes), 'file bytes changed');
    assert.deepEqual(readdirSync(dir), ['random.db']);
  });

  test('a tiny non-SQLite file (shorter than a header) is refused too', (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'tiny.db');
    writeFileSync(file, 'hi');
    const err = openError(() => openKernel(dir, file));
    assert.equal(err.code, 'KRN_ERR_STORAGE_NOT_SQLITE');
    assert.equal(readFileSync(file, 'utf8'), 'hi');
  });

  test('an empty existing file (e.g. made by touch) is initialized as a new database', async (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'devflow.db');
    writeFileSync(file, '');
    const k = openKernel(dir, file);
    t.after(() => k.stop());
    const stored = await k.emit('kernel.probe.written', { n: 1 });
    assert.ok(stored);
    assert.equal(k.events.get(stored.id)?.seq, stored.seq);
  });

  test('a read-only database file (0444, refused even for root) gives KRN_ERR_STORAGE_READONLY and is not modified', async (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'devflow.db');
    const k = openKernel(dir, file);
    await k.emit('kernel.probe.written', { n: 1 });
    await k.stop();
    chmodSync(file, 0o444);
    const before = readFileSync(file);
    const err = openError(() => openKernel(dir, file));
    assert.equal(err.code, 'KRN_ERR_STORAGE_READONLY');
    assert.ok(err.message.includes(file), err.message);
    assert.match(err.detail, /chmod|writable/);
    assert.ok(readFileSync(file).equals(before), 'read-only file was modified');
    // after making it writable again it opens and still has the event
    chmodSync(file, 0o644);
    const again = openKernel(dir, file);
    t.after(() => again.stop());
    assert.equal(again.events.count({ types: ['kernel.probe.written'] }), 1);
  });

  test('a database path under a regular file gives a clear KRN_ERR_STORAGE naming the path and the file in the way', (t) => {
    const dir = tempDir(t);
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const file = join(blocker, 'sub', 'devflow.db');
    const err = openError(() => openKernel(dir, file));
    assert.equal(err.code, 'KRN_ERR_STORAGE', `${err.code}: ${err.message}`);
    assert.ok(err.message.includes(file), err.message);
    assert.ok(err.message.includes(blocker), `should name the regular file in the way: ${err.message}`);
    assert.match(err.detail, /storage\.path|DEVFLOW_HOME/);
    assert.equal(readFileSync(blocker, 'utf8'), 'x');
  });

  test('a database directory without write permission (no write bits) is refused as read-only', (t) => {
    const dir = tempDir(t);
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555); // tempDir's cleanup makes it writable again before removing it
    const file = join(locked, 'devflow.db');
    // root bypasses permission bits, so only assert what must hold for everyone: either a clear
    // read-only error or a working database, never another kind of failure
    try {
      const k = openKernel(dir, file);
      void k.stop();
    } catch (e) {
      assert.ok(e instanceof PluginError);
      assert.equal(e.code, 'KRN_ERR_STORAGE_READONLY');
      assert.ok(e.message.includes(file));
    }
  });

  test('a database path that is a directory gives KRN_ERR_STORAGE naming it', (t) => {
    const dir = tempDir(t);
    const err = openError(() => openKernel(dir, dir));
    assert.equal(err.code, 'KRN_ERR_STORAGE');
    assert.ok(err.message.includes(dir));
  });

  test('a new database is created with WAL and synchronous=NORMAL, and missing directories are made', (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'a', 'b', 'devflow.db');
    const db = openDatabase(file);
    t.after(() => db.close());
    assert.ok(existsSync(file));
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 1);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    for (const name of ['audit_log', 'events', 'leases', 'outbox', 'schema_migrations']) assert.ok(tables.includes(name), `missing ${name}`);
  });
});

describe('event log', () => {
  test('many emits are written in few transactions, in emit order, with time-ordered UUIDv7 ids', async (t) => {
    const a = emitter('alpha');
    const tk = await createTestKernel({ plugins: [a.plugin], t, config: { storage: { batchSize: 500, flushMs: 5 } } });
    let batches = 0;
    let largest = 0;
    tk.kernel.hooks.tap('eventStored', 'storage-test', (batch: unknown) => {
      batches++;
      largest = Math.max(largest, (batch as unknown[]).length);
    });
    tk.flush(); // the kernel's own plugin.started event
    const before = tk.kernel.status().ingest;
    const N = 2000;
    const promises: Promise<StoredEvent | undefined>[] = [];
    for (let i = 0; i < N; i++) promises.push(a.emit('tick.happened', { i }));
    const out = await Promise.all(promises.map(stored));
    const after = tk.kernel.status().ingest;
    assert.equal(after.appended - before.appended, N);
    assert.equal(after.committed - before.committed, N);
    assert.equal(after.pending, 0);
    assert.equal(after.failures, 0);
    assert.ok(batches >= 1 && batches <= 10, `expected a handful of transactions for ${N} events, got ${batches}`);
    assert.ok(largest >= 500, `largest batch ${largest}`);

    // seq strictly increasing in emit order; ids UUIDv7 and increasing with seq
    for (let i = 0; i < N; i++) {
      const e = out[i] as StoredEvent;
      assert.equal(e.data.i, i);
      assert.match(e.id, UUIDV7);
      if (i > 0) {
        const prev = out[i - 1] as StoredEvent;
        assert.ok(e.seq > prev.seq, 'seq must increase in emit order');
        assert.ok(e.id > prev.id, `ids must be time-ordered: ${prev.id} then ${e.id}`);
      }
      // the id's 48-bit timestamp is the event's creation time (ts defaults to now)
      const idMs = parseInt(e.id.replace(/-/g, '').slice(0, 12), 16);
      assert.ok(Math.abs(idMs - e.ts) < 60_000, `id time ${idMs} vs ts ${e.ts}`);
    }
    // the log returns them in seq order with the same content
    const rows = tk.kernel.db.prepare("SELECT seq, id, data FROM events WHERE type = 'alpha.tick.happened' ORDER BY seq").all() as { seq: number; id: string; data: string }[];
    assert.equal(rows.length, N);
    rows.forEach((r, i) => {
      assert.equal(r.id, (out[i] as StoredEvent).id);
      assert.equal(r.seq, (out[i] as StoredEvent).seq);
      assert.deepEqual(JSON.parse(r.data), { i });
    });
  });

  test('the EventWriter commits one transaction per batch and resolves each append only after its batch committed', async (t) => {
    const dir = tempDir(t);
    const db = openDatabase(join(dir, 'w.db'));
    t.after(() => db.close());
    const committed: number[] = [];
    const w = new EventWriter(db, { batchSize: 100, flushMs: 1000, onCommitted: (b) => committed.push(b.length) });
    const count = () => (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    let resolved = 0;
    const ps = Array.from({ length: 250 }, (_, i) =>
      w.append({ id: `0190a000-0000-7000-8000-${String(i).padStart(12, '0')}`, type: 'w.x.y', source: 'w', project: null, ts: i, severity: 'info', data: { i } }).then((e) => {
        resolved++;
        // by the time an append resolves, its row is in the database
        assert.ok((db.prepare('SELECT seq FROM events WHERE id = ?').get(e.id) as { seq: number }).seq === e.seq);
        return e;
      }),
    );
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(committed, [100, 100], 'two full batches commit as soon as they fill');
    assert.equal(count(), 200);
    assert.equal(w.pending, 50);
    assert.equal(resolved, 200, 'the 50 still queued are not acknowledged');
    assert.equal(w.flush(), true);
    await Promise.all(ps);
    assert.deepEqual(committed, [100, 100, 50]);
    assert.equal(w.stats.batches, 3);
    assert.equal(w.stats.committed, 250);
    assert.equal(count(), 250);
    assert.deepEqual(w.close(), []);
  });

  test('query filters: exact types, prefixes (a.* does not match ab.x.y), source, project, since/until, count and get', async (t) => {
    const a = emitter('a');
    const ab = emitter('ab');
    const tk = await createTestKernel({ plugins: [a.plugin, ab.plugin], t });
    const T = 1_700_000_000_000;
    const made = await Promise.all([
      stored(a.emit('x.created', { k: 1 }, { ts: T, project: '/p1' })),
      stored(a.emit('x.deleted', { k: 2 }, { ts: T + 10, project: '/p2' })),
      stored(a.emit('y.z.moved', { k: 3 }, { ts: T + 20 })),
      stored(ab.emit('x.y', { k: 4 }, { ts: T + 30, project: '/p1' })),
      stored(ab.emit('x.created', { k: 5 }, { ts: T + 40 })),
    ]);
    const log = tk.kernel.events;
    const ks = (q: Parameters<EventReader['query']>[0]) => log.query({ ...q, types: q?.types ?? ['a.*', 'ab.*'] }).events.map((e) => e.data.k);

    assert.deepEqual(ks({ types: ['a.*'] }), [1, 2, 3]);
    assert.deepEqual(ks({ types: ['ab.*'] }), [4, 5]);
    assert.deepEqual(ks({ types: ['a.x.*'] }), [1, 2]);
    assert.deepEqual(ks({ types: ['a.y.*'] }), [3]);
    assert.deepEqual(ks({ types: ['a.x.created'] }), [1]);
    assert.deepEqual(ks({ types: ['a.x.created', 'ab.x.y'] }), [1, 4]);
    assert.deepEqual(ks({ types: ['a.x.created', 'ab.*'] }), [1, 4, 5]);
    assert.deepEqual(ks({ types: ['a'] }), [], 'a bare id is not a prefix');
    assert.deepEqual(ks({ types: ['a.x'] }), [], 'a partial type is not a prefix without .*');
    assert.ok(log.query({ types: ['*'] }).events.length >= 5);
    assert.deepEqual(ks({ source: 'ab' }), [4, 5]);
    assert.deepEqual(ks({ project: '/p1' }), [1, 4]);
    assert.deepEqual(ks({ since: T + 10, until: T + 30 }), [2, 3], 'since is inclusive, until exclusive');
    assert.deepEqual(ks({ types: ['a.*', 'ab.*'], project: '/p1', source: 'a' }), [1]);
    assert.deepEqual(ks({ descending: true }), [5, 4, 3, 2, 1]);
    assert.deepEqual(ks({ after: (made[1] as StoredEvent).seq }), [3, 4, 5]);
    assert.deepEqual(ks({ after: (made[3] as StoredEvent).seq, descending: true }), [3, 2, 1]);

    assert.equal(log.count({ types: ['a.*'] }), 3);
    assert.equal(log.count({ types: ['ab.*'], project: '/p1' }), 1);
    assert.equal(log.count({ types: ['a.*'], since: T + 15 }), 1);

    const got = log.get((made[3] as StoredEvent).id);
    assert.deepEqual(got, made[3]);
    assert.equal(log.get('0190a000-0000-7000-8000-000000000000'), undefined);

    // the prefix filter is an index range on type, not a scan of every row
    const plan = tk.kernel.db.prepare("EXPLAIN QUERY PLAN SELECT * FROM events WHERE (type >= 'a.' AND type < 'a/') ORDER BY seq").all() as { detail: string }[];
    assert.ok(plan.some((p) => /events_type_ts/.test(p.detail)), JSON.stringify(plan));
  });

  test('pagination with the after cursor returns every event exactly once, both directions', async (t) => {
    const a = emitter('pager');
    const tk = await createTestKernel({ plugins: [a.plugin], t });
    const N = 2345;
    const ids = new Set((await Promise.all(Array.from({ length: N }, (_, i) => stored(a.emit('row.added', { i }))))).map((e) => e.id));
    const log = tk.kernel.events;

    for (const [limit, descending] of [[100, false], [333, false], [1000, false], [97, true]] as const) {
      const seen: string[] = [];
      let page = log.query({ types: ['pager.*'], limit, descending });
      let pages = 1;
      for (;;) {
        assert.ok(page.events.length <= limit);
        seen.push(...page.events.map((e) => e.id));
        if (page.next === null) break;
        page = log.query({ types: ['pager.*'], limit, descending, after: page.next });
        pages++;
      }
      assert.equal(seen.length, N, `limit ${limit}: every event once`);
      assert.equal(new Set(seen).size, N, `limit ${limit}: no duplicates`);
      for (const id of seen) assert.ok(ids.has(id));
      assert.equal(pages, Math.ceil(N / limit));
      const sorted = [...seen].sort();
      assert.deepEqual(seen, descending ? sorted.reverse() : sorted, 'pages come in id (= time) order');
    }
    // an exact multiple of the page size ends with next = null, not an empty extra page
    const exact = log.query({ types: ['pager.*'], limit: 1000, after: 0 });
    assert.notEqual(exact.next, null);
    const tail = log.query({ types: ['pager.*'], limit: 345, after: log.query({ types: ['pager.*'], limit: 1000, after: exact.next as number }).next as number });
    assert.equal(tail.events.length, 345);
    assert.equal(tail.next, null);
  });

  test('the page size is clamped to 1..1000 and a nonsense limit does not crash the query', async (t) => {
    const a = emitter('clamp');
    const tk = await createTestKernel({ plugins: [a.plugin], t });
    await Promise.all(Array.from({ length: 1200 }, (_, i) => a.emit('row.added', { i })));
    const log = tk.kernel.events;
    const q = (limit: number) => log.query({ types: ['clamp.*'], limit });
    assert.equal(MAX_PAGE, 1000);
    assert.equal(q(5000).events.length, 1000);
    assert.notEqual(q(5000).next, null);
    assert.equal(q(Infinity).events.length, 1000);
    assert.equal(q(0).events.length, 1);
    assert.equal(q(-7).events.length, 1);
    assert.equal(q(2.9).events.length, 2);
    assert.equal(log.query({ types: ['clamp.*'] }).events.length, 100, 'default page size');
    assert.equal(q(Number.NaN).events.length, 100, 'NaN falls back to the default page size');
  });

  test('the outbox table and its partial index on unsynced rows exist, and the unsynced scan uses the index', async (t) => {
    const dir = tempDir(t);
    const db = openDatabase(join(dir, 'o.db'));
    t.after(() => db.close());
    const idx = db.prepare("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'index' AND name = 'outbox_unsynced'").get() as { tbl_name: string; sql: string } | undefined;
    assert.ok(idx, 'outbox_unsynced index missing');
    assert.equal(idx.tbl_name, 'outbox');
    assert.match(idx.sql, /WHERE\s+synced_at\s+IS\s+NULL/i);
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT event_seq FROM outbox WHERE synced_at IS NULL ORDER BY event_seq LIMIT 500').all() as { detail: string }[];
    assert.ok(plan.some((p) => /USING (COVERING )?INDEX outbox_unsynced/.test(p.detail)), JSON.stringify(plan));

    // the writer puts the events the filter selects in the outbox in the same transaction
    const w = new EventWriter(db, { batchSize: 10, outboxFilter: (e) => e.project !== null });
    const evs = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        w.append({ id: `0190a000-0000-7000-8000-${String(i).padStart(12, '0')}`, type: 'o.x.y', source: 'o', project: i % 2 ? '/p' : null, ts: i, severity: 'info', data: {} }),
      ),
    );
    const outbox = (db.prepare('SELECT event_seq FROM outbox WHERE synced_at IS NULL ORDER BY event_seq').all() as { event_seq: number }[]).map((r) => r.event_seq);
    assert.deepEqual(outbox, evs.filter((e) => e.project !== null).map((e) => e.seq));
    db.prepare('UPDATE outbox SET synced_at = 1 WHERE event_seq <= ?').run((evs[10] as StoredEvent).seq);
    assert.equal((db.prepare('SELECT count(*) AS n FROM outbox WHERE synced_at IS NULL').get() as { n: number }).n, 7);
  });
});

describe('a database that refuses writes', () => {
  test('a failed flush keeps every event queued and unacknowledged; once the fault clears each lands exactly once', async (t) => {
    const a = emitter('faulty');
    const tk = await createTestKernel({ plugins: [a.plugin], t, config: { storage: { batchSize: 100, flushMs: 5 } } });
    const db = tk.kernel.db;
    const warm = await Promise.all(Array.from({ length: 20 }, (_, i) => stored(a.emit('row.added', { phase: 'warm', i }))));
    const base = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;

    // the fault hits mid-batch: the first 30 rows of a flush go in, then the database refuses
    db.exec(`
      CREATE TABLE fault_switch (armed INTEGER NOT NULL, limit_rows INTEGER NOT NULL);
      INSERT INTO fault_switch VALUES (1, ${base + 30});
      CREATE TRIGGER fault_events BEFORE INSERT ON events
        WHEN (SELECT armed FROM fault_switch) = 1 AND (SELECT count(*) FROM events) >= (SELECT limit_rows FROM fault_switch)
        BEGIN SELECT RAISE(ABORT, 'injected fault: disk says no'); END;
    `);

    const N = 450;
    const settled = new Set<number>();
    const promises = Array.from({ length: N }, (_, i) => {
      const p = stored(a.emit('row.added', { phase: 'fault', i }));
      void p.then(() => settled.add(i), () => settled.add(i));
      return p;
    });

    // wait (generously) until the writer has failed a few times
    await until(() => tk.kernel.status().ingest.failures >= 2, 10_000, 'writer never reported a failure');
    const count = () => (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    assert.equal(count(), base, 'a failed batch must roll back completely (no partial batch)');
    assert.equal(settled.size, 0, 'no emit may resolve (or reject) while its batch is not committed');
    const st = tk.kernel.status().ingest;
    assert.ok(st.pending >= N, `all ${N} events stay queued (pending ${st.pending})`);
    assert.ok(tk.logs.some((l) => l.code === 'KRN_ERR_STORAGE' && /injected fault/.test(JSON.stringify(l))), 'the failure is logged with its cause');
    assert.equal(tk.kernel.flush(), false, 'a manual flush reports the refusal');

    // clear the fault
    db.exec('UPDATE fault_switch SET armed = 0; DROP TRIGGER fault_events; DROP TABLE fault_switch;');
    const out = await withDeadline(Promise.all(promises), 40_000, 'queued events were not written after the fault cleared');
    assert.equal(settled.size, N);
    assert.equal(tk.kernel.status().ingest.pending, 0);

    const rows = db.prepare("SELECT seq, id, data FROM events WHERE type = 'faulty.row.added' ORDER BY seq").all() as { seq: number; id: string; data: string }[];
    assert.equal(rows.length, warm.length + N, 'every event exactly once');
    assert.equal(new Set(rows.map((r) => r.id)).size, rows.length);
    const faultRows = rows.filter((r) => JSON.parse(r.data).phase === 'fault');
    assert.deepEqual(faultRows.map((r) => JSON.parse(r.data).i), Array.from({ length: N }, (_, i) => i), 'in emit order');
    out.forEach((e, i) => {
      assert.equal(e.id, (faultRows[i] as { id: string }).id);
      assert.equal(e.seq, (faultRows[i] as { seq: number }).seq);
    });
    // seq has no holes left by the rolled-back attempts
    const span = db.prepare('SELECT max(seq) - min(seq) + 1 AS span, count(*) AS n FROM events').get() as { span: number; n: number };
    assert.equal(span.span, span.n);
  });
});

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(what);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
