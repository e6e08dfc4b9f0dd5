// The event reader's query paths (newest-first walk back from the newest row, and the index path
// that turns type prefixes into exact types) against a plain in-memory filter of the same rows, on
// a log large enough for both paths; and the query plans that keep status and the MCP event
// queries off full-table scans on a big log. No timings here: docs/performance.md has them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EventQuery, StoredEvent } from '@devflow/plugin-sdk';
import { uuidv7 } from 'uuidv7';
import { openDatabase, type Db } from '../src/storage/database.js';
import { EventReader, MAX_PAGE, NEWEST_SCAN_ROWS, type EventRow } from '../src/storage/event-reader.js';
import { createTestKernel } from '../src/testing/index.js';

const T0 = 1_700_000_000_000;
// siblings that a careless prefix match would mix up: a / a.x / ab / a-b / a0
const TYPES = ['a', 'a.x', 'a.x.y', 'a.y', 'a.y.z', 'a-b.x', 'ab.x', 'ab.x.y', 'a0.q', 'b.c', 'b.c.d', 'kernel.plugin.started'];
const N = 3 * NEWEST_SCAN_ROWS + 500;

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

type Row = EventRow;

/** A log with dense and sparse stretches, timestamps mostly rising but sometimes back-dated. */
function seedLog(db: Db): Row[] {
  const rnd = rng(42);
  const insert = db.prepare('INSERT INTO events (id, ts, type, source, project, severity, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < N; i++) {
      const dense = Math.floor(i / 2000) % 3 === 1; // a stretch where b.c is nearly everything
      const type = i % 997 === 0 ? 'rare.thing.seen' : dense && rnd() < 0.95 ? 'b.c' : (TYPES[Math.floor(rnd() * TYPES.length)] as string);
      const ts = T0 + i * 1000 - (rnd() < 0.1 ? Math.floor(rnd() * 5_000_000) : 0);
      insert.run(uuidv7(), ts, type, type.split('.')[0], [null, '/p1', '/p2'][i % 3], 'info', JSON.stringify({ i }));
    }
  })();
  return db.prepare('SELECT * FROM events ORDER BY seq').all() as Row[];
}

function toEvent(r: Row): StoredEvent {
  return { seq: r.seq, id: r.id, ts: r.ts, type: r.type, source: r.source, project: r.project, severity: r.severity as StoredEvent['severity'], data: JSON.parse(r.data) };
}

function matches(r: Row, f: EventQuery): boolean {
  if (f.types?.length && !f.types.some((t) => t === '*' || (t.endsWith('.*') ? r.type.startsWith(t.slice(0, -1)) : r.type === t))) return false;
  if (f.source !== undefined && r.source !== f.source) return false;
  if (f.project !== undefined && r.project !== f.project) return false;
  if (f.since !== undefined && r.ts < f.since) return false;
  if (f.until !== undefined && r.ts >= f.until) return false;
  if (f.after !== undefined && (f.descending ? r.seq >= f.after : r.seq <= f.after)) return false;
  return true;
}

/** What a query must return, computed the slow way. */
function expected(rows: Row[], f: EventQuery): { events: StoredEvent[]; next: number | null } {
  const requested = Math.floor(f.limit ?? 100);
  const limit = Number.isNaN(requested) ? 100 : Math.max(1, Math.min(MAX_PAGE, requested));
  const hits = rows.filter((r) => matches(r, f));
  if (f.descending) hits.reverse();
  const events = hits.slice(0, limit).map(toEvent);
  return { events, next: hits.length > limit ? (events[events.length - 1] as StoredEvent).seq : null };
}

/** Record the SQL a reader prepares, to look at its query plans. */
function recordSql(db: Db): string[] {
  const seen: string[] = [];
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => (seen.push(sql), prepare(sql))) as Db['prepare'];
  return seen;
}

function planOf(db: Db, sql: string): string {
  const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 1);
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((p) => p.detail).join(' | ');
}

describe('event reader query paths', () => {
  test('random filters give exactly what a plain filter gives: newest-first walk, index path, cursors, counts', () => {
    const db = openDatabase(':memory:');
    try {
      const rows = seedLog(db);
      const reader = new EventReader(db);
      const rnd = rng(7);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
      const typeFilters = ['a.*', 'a.x.*', 'a.y.*', 'ab.*', 'a-b.*', 'b.*', 'b.c', 'a', 'a.x', '*', 'zz.*', 'kernel.*', 'a0.*', 'rare.*', 'rare.thing.seen'];
      for (let k = 0; k < 600; k++) {
        const f: EventQuery = {};
        if (rnd() < 0.85) f.types = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(typeFilters));
        if (rnd() < 0.2) f.source = pick(['a', 'b', 'ab', 'kernel']);
        if (rnd() < 0.3) f.project = pick(['/p1', '/p2', '/p3']);
        if (rnd() < 0.5) f.since = T0 + Math.floor(rnd() * N * 1000);
        if (rnd() < 0.2) f.until = T0 + Math.floor(rnd() * N * 1000);
        if (rnd() < 0.3) f.after = Math.floor(rnd() * (N + 10));
        f.descending = rnd() < 0.7;
        const limit = pick([1, 2, 20, 100, 1000, 5000, 0, -3, Number.NaN, 2.5, undefined]);
        if (limit !== undefined) f.limit = limit;
        assert.deepEqual(reader.query(f), expected(rows, f), JSON.stringify(f));
        const { after: _a, limit: _l, descending: _d, ...countable } = f;
        assert.equal(reader.count(countable), rows.filter((r) => matches(r, countable)).length, `count ${JSON.stringify(countable)}`);
      }
      // page through a few filters to the end, both directions
      for (const f of [{ types: ['b.c'], descending: true, limit: 333 }, { types: ['a.*'], since: T0 + 2_000_000, descending: true, limit: 97 }, { types: ['ab.*', 'a0.q'], limit: 250 }] as EventQuery[]) {
        let page = reader.query(f);
        const seen = [...page.events];
        while (page.next !== null) {
          const q = { ...f, after: page.next };
          page = reader.query(q);
          assert.deepEqual(page, expected(rows, q), JSON.stringify(q));
          seen.push(...page.events);
        }
        assert.equal(seen.length, rows.filter((r) => matches(r, f)).length, JSON.stringify(f));
      }
    } finally {
      db.close();
    }
  });

  test('newest first with common matches walks back from the newest row; sparse ones use the type/time index; neither scans the table', () => {
    const db = openDatabase(':memory:');
    try {
      seedLog(db);
      const reader = new EventReader(db);
      const sql = recordSql(db);
      const since = T0 + (N - 5000) * 1000;
      // b.* is a sixth of the newest rows: enough matches within the walk
      reader.query({ types: ['b.*'], since, limit: 20, descending: true });
      assert.equal(sql.length, 1, sql.join('\n'));
      assert.match(sql[0] as string, /NOT INDEXED/);
      assert.match(planOf(db, sql[0] as string), /SEARCH events USING INTEGER PRIMARY KEY \(rowid>\?\)/);
      // rare.* is rare: the walk (same statement) comes back short, and the index answers
      sql.length = 0;
      reader.query({ types: ['rare.*'], since, limit: 20, descending: true });
      assert.equal(sql.length, 1, sql.join('\n'));
      assert.match(sql[0] as string, /WITH RECURSIVE/);
      const plan = planOf(db, sql[0] as string);
      assert.match(plan, /USING COVERING INDEX events_type_ts \(type=\? AND ts>\?\)/, plan);
      assert.doesNotMatch(plan, /SCAN events\b/, plan);
      // counting a prefix within a window uses the same index seeks
      sql.length = 0;
      reader.count({ types: ['a.*'], since });
      assert.match(planOf(db, sql[0] as string), /events_type_ts \(type=\? AND ts>\?\)/);
      assert.doesNotMatch(planOf(db, sql[0] as string), /SCAN events\b/);
    } finally {
      db.close();
    }
  });

  test("status reads the event range from the primary key, not by scanning the log", async (t) => {
    const tk = await createTestKernel({ plugins: [], t });
    const db = tk.kernel.db;
    const sql = recordSql(db);
    const before = tk.kernel.status().database.events;
    const insert = db.prepare('INSERT INTO events (id, ts, type, source, project, severity, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (let i = 0; i < 10; i++) insert.run(uuidv7(), T0 + i, 'probe.row.added', 'probe', null, 'info', '{}');
    assert.equal(tk.kernel.status().database.events, before + 10);
    const range = sql.find((s) => /min\(seq\)/.test(s));
    assert.ok(range, sql.join('\n'));
    assert.doesNotMatch(planOf(db, range), /\bSCAN events\b/, 'min(seq) and max(seq) together would scan the whole log');
  });
});
