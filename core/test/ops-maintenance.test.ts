// devflow maintenance: old events move to the archive database (count archived + remaining =
// before; a rerun is a no-op; unsynced and unfolded events stay; plugin tables are untouched),
// then ANALYZE, VACUUM and a WAL checkpoint. The kernel's scheduler does the same while it holds
// the monitor lease, when due.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { definePlugin } from '@devflow/plugin-sdk';
import Database from 'better-sqlite3';
import { archiveEvents } from '../src/ops/archive.js';
import { MaintenanceScheduler } from '../src/ops/maintenance-scheduler.js';
import { openDatabase } from '../src/storage/database.js';
import { createTestKernel } from '../src/testing/index.js';
import { devflow, tempHome, writeConfig } from './ops-helpers.js';

const DAY = 86_400_000;

/** 1000 events 40 days old (10 with an unsynced outbox row, 5 synced), 500 recent ones, a plugin table. */
function seed(path: string): void {
  const db = openDatabase(path);
  const insert = db.prepare("INSERT INTO events (id, ts, type, source, data) VALUES (?, ?, 'seed.thing.happened', 'seed', ?)");
  const outbox = db.prepare('INSERT INTO outbox (event_seq, synced_at) VALUES (?, ?)');
  db.transaction(() => {
    const old = Date.now() - 40 * DAY;
    for (let i = 0; i < 1000; i++) {
      const seq = insert.run(`old-${i}`, old + i, JSON.stringify({ i })).lastInsertRowid;
      if (i < 10) outbox.run(seq, null);
      else if (i < 15) outbox.run(seq, Date.now());
    }
    for (let i = 0; i < 500; i++) insert.run(`new-${i}`, Date.now() - i, JSON.stringify({ i }));
  })();
  db.exec('CREATE TABLE metrics__daily (day TEXT PRIMARY KEY, n INTEGER); INSERT INTO metrics__daily VALUES (\'2026-01-01\', 1000)');
  db.close();
}

const count = (db: Database.Database, sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;

test('maintenance archives old events, keeps unsynced ones, leaves plugin tables alone; a rerun is a no-op', async (t) => {
  const home = tempHome(t);
  writeConfig(home, { projects: [], plugins: {}, storage: { retention: { archiveAfterDays: 30 } } });
  const path = join(home, 'devflow.db');
  seed(path);

  const r = await devflow(home, ['maintenance']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /archive {5}moved 990 event\(s\) older than .* to .*archive\.db; 10 kept \(not synced yet\)/);
  assert.match(r.stdout, /analyze {5}done/);
  assert.match(r.stdout, /vacuum {6}[\d.]+ KB -> [\d.]+ KB/);
  assert.match(r.stdout, /checkpoint {2}\d+\/\d+ WAL frame\(s\) written back, WAL truncated/);

  const db = new Database(path, { readonly: true });
  db.exec(`ATTACH '${join(home, 'archive.db')}' AS archive`);
  assert.equal(count(db, 'SELECT count(*) AS n FROM archive.events'), 990);
  assert.equal(count(db, 'SELECT count(*) AS n FROM main.events'), 510);
  assert.equal(count(db, 'SELECT count(*) AS n FROM archive.events') + count(db, 'SELECT count(*) AS n FROM main.events'), 1500, 'archived + remaining = before');
  assert.equal(count(db, "SELECT count(*) AS n FROM main.events WHERE id LIKE 'old-%'"), 10, 'the unsynced ones stay');
  assert.equal(count(db, 'SELECT count(*) AS n FROM main.outbox'), 10, 'synced outbox rows of archived events go with them');
  assert.equal(count(db, "SELECT count(*) AS n FROM archive.events a JOIN (SELECT 'old-500' AS id) x ON a.id = x.id AND json_extract(a.data, '$.i') = 500"), 1, 'archived rows are whole');
  assert.equal(count(db, 'SELECT n FROM metrics__daily'), 1000, 'rollups stay');
  assert.equal(count(db, "SELECT count(*) AS n FROM audit_log WHERE action = 'maintenance:run'"), 1);
  db.close();

  const again = await devflow(home, ['maintenance', '--archive']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /moved 0 event\(s\)/);
  assert.match(again.stdout, /analyze {5}not asked/);
  const after = new Database(join(home, 'archive.db'), { readonly: true });
  assert.equal(count(after, 'SELECT count(*) AS n FROM events'), 990);
  after.close();
});

test('archiving is idempotent by id (a run cut short between the two databases) and waits for projections', async (t) => {
  const home = tempHome(t);
  const path = join(home, 'devflow.db');
  seed(path);
  const archive = join(home, 'archive.db');
  const db = openDatabase(path);
  // The archive already holds some of them, as after a crash between its commit and the log's.
  const a = new Database(archive);
  a.exec('CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, ts INTEGER NOT NULL, type TEXT NOT NULL, source TEXT NOT NULL, project TEXT, severity TEXT NOT NULL DEFAULT \'info\', data TEXT NOT NULL)');
  const seq15 = count(db, "SELECT seq AS n FROM events WHERE id = 'old-15'");
  // old-15's seq is taken by another event (a log restored from an older backup reuses seqs)
  a.prepare("INSERT INTO events (seq, id, ts, type, source, data) VALUES (?, 'someone-else', 0, 'x.y.z', 'x', '{}')").run(seq15);
  for (const row of db.prepare("SELECT * FROM events WHERE id IN ('old-20', 'old-21')").all() as Record<string, unknown>[]) {
    a.prepare('INSERT INTO events (seq, id, ts, type, source, project, severity, data) VALUES (@seq, @id, @ts, @type, @source, @project, @severity, @data)').run(row);
  }
  a.close();
  // A projection has folded only up to the 600th event.
  const seq600 = count(db, "SELECT seq AS n FROM events WHERE id = 'old-599'");
  db.prepare("INSERT INTO projections (plugin, name, version, cursor, updated_at) VALUES ('metrics', 'daily', 1, ?, 0)").run(seq600);

  const r = archiveEvents(db, archive, Date.now() - 30 * DAY, 128);
  assert.equal(r.moved, 590, 'old-10 … old-599: the unsynced ten stay, the rest wait for the projection');
  assert.equal(r.keptUnsynced, 10);
  assert.equal(r.keptUnfolded, 400);
  assert.match(r.heldBy ?? '', /^metrics\/daily \(folded up to seq \d+\)$/);
  db.exec(`ATTACH '${archive}' AS archive`);
  assert.equal(count(db, 'SELECT count(*) AS n FROM archive.events'), 591); // 590 + someone-else
  assert.equal(count(db, "SELECT count(*) AS n FROM archive.events WHERE id = 'old-0'"), 0);
  assert.equal(count(db, "SELECT count(*) AS n FROM archive.events WHERE id = 'old-20'"), 1, 'no duplicate');
  assert.equal(count(db, "SELECT count(*) AS n FROM archive.events WHERE id = 'old-15'"), 1, 'seq clash: the event is archived, not dropped');
  assert.notEqual(count(db, "SELECT seq AS n FROM archive.events WHERE id = 'old-15'"), seq15, 'under another seq');
  assert.equal(count(db, "SELECT count(*) AS n FROM archive.events WHERE id = 'someone-else'"), 1);
  assert.equal(count(db, "SELECT count(*) AS n FROM archive.events WHERE id LIKE 'old-%'") + count(db, "SELECT count(*) AS n FROM main.events WHERE id LIKE 'old-%'"), 1000);
  db.exec('DETACH archive');
  db.close();
});

test('the kernel scheduler runs maintenance only in the lease holder, only when due', async (t) => {
  const leaseUser = definePlugin({ id: 'lease-user', version: '1.0.0', kernel: '^1.0.0', needsLease: true, start() {} });
  const tk = await createTestKernel({ plugins: [leaseUser], t, config: { storage: { retention: { archiveAfterDays: 1 }, maintenance: { everyHours: 6 } } } });
  const k = tk.kernel;
  const insert = k.db.prepare("INSERT INTO events (id, ts, type, source, data) VALUES (?, ?, 'seed.thing.happened', 'seed', '{}')");
  for (let i = 0; i < 50; i++) insert.run(`old-${i}`, Date.now() - 3 * DAY);
  let now = Date.now();
  let held = true;
  const scheduler = new MaintenanceScheduler(
    {
      db: k.db,
      databasePath: k.databasePath,
      logger: k.logger,
      config: () => k.config,
      archivePath: () => join(tk.home, 'archive.db'),
      holdsLease: () => held && k.status().lease.held,
      audit: (e) => k.audit.record(e),
      report: () => assert.fail('no error expected'),
    },
    60_000,
    () => now,
  );
  assert.equal(k.status().lease.held, true);
  assert.equal(await scheduler.tick(), null, 'a new database is first due everyHours after it was created');
  now += 7 * 3_600_000;
  held = false;
  assert.equal(await scheduler.tick(), null, 'not without the lease');
  held = true;
  const report = await scheduler.tick();
  assert.ok(report && !('skipped' in report.archive));
  assert.equal(report.archive.moved, 50);
  assert.ok(!('skipped' in report.checkpoint));
  assert.match(String('skipped' in report.vacuum ? report.vacuum.skipped : ''), /free pages|VACUUM/);
  k.audit.flush();
  assert.equal(k.audit.query({ action: 'maintenance:run' }).length, 1);
  assert.equal(await scheduler.tick(), null, 'not again until the next period');
  now += 7 * 3_600_000;
  assert.ok(await scheduler.tick(), 'due again');
  assert.ok(tk.logs.some((l) => String(l.msg).startsWith('maintenance: archive     moved 50 event(s)')));
});

test('maintenance with a bad --older-than, and without a database', async (t) => {
  const home = tempHome(t);
  const none = await devflow(home, ['maintenance']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /there is no database at .*; nothing to maintain/);
  const bad = await devflow(home, ['maintenance', '--older-than', 'soon']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--older-than must be a number of days >= 0, got "soon"/);
});
