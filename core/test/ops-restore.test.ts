// devflow restore: a file that is not a DevFlow database is refused with nothing changed; a live
// kernel is never swapped out from under, unless --force stops it first.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openDatabase } from '../src/storage/database.js';
import { LEASE_HOLDER, devflow, tempHome, waitFor } from './ops-helpers.js';

const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A home with a database holding `n` marker events, and a backup of it holding `n` too. */
async function homeWithBackup(t: { after(fn: () => void): void }, n = 3): Promise<{ home: string; db: string; backup: string }> {
  const home = tempHome(t);
  const db = join(home, 'devflow.db');
  const d = openDatabase(db);
  const insert = d.prepare("INSERT INTO events (id, ts, type, source, data) VALUES (?, ?, 'test.mark.made', 'test', '{}')");
  for (let i = 0; i < n; i++) insert.run(`backup-${i}`, Date.now());
  d.close();
  const backup = join(home, 'b.db');
  const r = await devflow(home, ['backup', backup]);
  assert.equal(r.code, 0, r.stderr);
  // the live database moves on after the backup
  const later = openDatabase(db);
  later.prepare("INSERT INTO events (id, ts, type, source, data) VALUES ('after-backup', 1, 'test.mark.made', 'test', '{}')").run();
  later.close();
  return { home, db, backup };
}

function snapshot(home: string): { files: string[]; db: string } {
  return { files: readdirSync(home).sort(), db: hash(join(home, 'devflow.db')) };
}

test('restore refuses a text file and an SQLite file without our schema, changing nothing', async (t) => {
  const { home } = await homeWithBackup(t);
  const text = join(home, 'notes.txt');
  writeFileSync(text, 'not a database at all\n');
  const foreign = join(home, 'other.sqlite');
  const f = new Database(foreign);
  f.exec('CREATE TABLE things (a, b); INSERT INTO things VALUES (1, 2);');
  f.close();
  const before = snapshot(home);

  const r1 = await devflow(home, ['restore', text]);
  assert.equal(r1.code, 1);
  assert.match(r1.stderr, /notes\.txt is not an SQLite database \(no SQLite header\); nothing was changed/);
  assert.deepEqual(snapshot(home), before);

  const r2 = await devflow(home, ['restore', foreign]);
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /other\.sqlite is an SQLite database but not a DevFlow one \(no events table\); .*nothing was changed/);
  assert.deepEqual(snapshot(home), before);

  // events, but no migrations ledger: still not ours
  const lookalike = join(home, 'lookalike.db');
  const l = new Database(lookalike);
  l.exec('CREATE TABLE events (seq INTEGER PRIMARY KEY, id, ts, type, source, project, severity, data)');
  l.close();
  const r3 = await devflow(home, ['restore', lookalike]);
  assert.equal(r3.code, 1);
  assert.match(r3.stderr, /no schema_migrations table; it is not a DevFlow database/);

  const r4 = await devflow(home, ['restore', join(home, 'missing.db')]);
  assert.equal(r4.code, 1);
  assert.match(r4.stderr, /missing\.db does not exist/);
  const after = snapshot(home);
  assert.deepEqual(after.files, [...before.files, 'lookalike.db'].sort());
  assert.equal(after.db, before.db);
});

test('restore refuses a database from a newer kernel schema', async (t) => {
  const { home, backup } = await homeWithBackup(t);
  const b = new Database(backup);
  b.prepare("INSERT INTO schema_migrations (plugin, version, name, applied_at) VALUES ('kernel', 99, 'from the future', 0)").run();
  b.close();
  const before = snapshot(home);
  const r = await devflow(home, ['restore', backup]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /has kernel schema 99, newer than this build knows \(2\); nothing was changed/);
  assert.deepEqual(snapshot(home), before);
});

test('restore swaps the backup in and keeps the current database', async (t) => {
  const { home, db, backup } = await homeWithBackup(t);
  const r = await devflow(home, ['restore', backup, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { keptAs: string; events: number; stopped: unknown[] };
  assert.equal(out.events, 3);
  assert.deepEqual(out.stopped, []);
  assert.match(out.keptAs, /devflow\.db\.before-restore-\d{4}-\d\d-\d\dT[\d-]+Z$/);
  const now = new Database(db, { readonly: true });
  assert.deepEqual((now.prepare('SELECT id FROM events ORDER BY seq').all() as { id: string }[]).map((e) => e.id), ['backup-0', 'backup-1', 'backup-2']);
  now.close();
  const kept = new Database(out.keptAs, { readonly: true });
  assert.equal((kept.prepare("SELECT count(*) AS n FROM events WHERE id = 'after-backup'").get() as { n: number }).n, 1, 'the replaced database is kept whole');
  kept.close();
  assert.ok(!readdirSync(home).some((f) => f.includes('.restore-')), 'no temp file left');
});

test('restore refuses while a kernel holds the monitor lease; --force stops it, restores, says how to start it again', async (t) => {
  const { home, db, backup } = await homeWithBackup(t);
  const holder = spawn(process.execPath, [LEASE_HOLDER, db, home, 'holder', '3000'], { stdio: ['pipe', 'pipe', 'pipe'] });
  t.after(() => void (holder.exitCode === null && holder.kill('SIGKILL')));
  let out = '';
  holder.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  let err = '';
  holder.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  await waitFor(() => /"held":true/.test(out), 20_000, () => `the lease holder did not take the lease: ${out} ${err}`);

  const refused = await devflow(home, ['restore', backup]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`a DevFlow kernel is running: pid ${holder.pid} on .* holds the monitor lease; nothing was changed`));
  assert.match(refused.stderr, /--force/);
  assert.equal(holder.exitCode, null, 'still running');

  const exited = new Promise((r) => holder.once('exit', r));
  const forced = await devflow(home, ['restore', backup, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  await exited;
  assert.match(forced.stdout, new RegExp(`stopped {4}pid ${holder.pid} \\(.*lease-holder\\.mjs.*\\): run it again: cd .* && .*lease-holder\\.mjs`));
  assert.match(forced.stdout, /The next devflow start or devflow mcp uses the restored database\./);
  const now = new Database(db, { readonly: true });
  assert.deepEqual(now.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
  assert.equal((now.prepare('SELECT count(*) AS n FROM leases').get() as { n: number }).n, 0, 'no lease carried over from the backup');
  assert.equal((now.prepare("SELECT count(*) AS n FROM events WHERE type = 'test.mark.made'").get() as { n: number }).n, 3);
  now.close();
});
