// devflow migrate status|up|down on a plugin with two migrations: down to 1 and up again, the
// event log untouched; a step without `down` refuses before anything happens (no backup either);
// the kernel never goes below 1; a `down` that would lose events is rolled back.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { migrateDown } from '../src/ops/migrate.js';
import { openDatabase } from '../src/storage/database.js';
import { devflow, tempHome, writeConfig } from './ops-helpers.js';

const PLUGIN = `export default {
  id: 'two-step', version: '2.0.0', kernel: '^1.0.0',
  migrations: [
    { version: 1, name: 'items', up: 'CREATE TABLE two_step__items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)' },
    { version: 2, name: 'item sizes',
      up: 'ALTER TABLE two_step__items ADD COLUMN size INTEGER; CREATE INDEX two_step__items_size ON two_step__items (size)',
      down: 'DROP INDEX two_step__items_size; ALTER TABLE two_step__items DROP COLUMN size' },
  ],
  start() {},
};
`;

interface Row {
  plugin: string;
  applied: number[];
  known: number[] | null;
  pending: number[];
}

async function status(home: string): Promise<Row[]> {
  const r = await devflow(home, ['migrate', 'status', '--json']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { plugins: Row[] }).plugins;
}

const columns = (db: Database.Database) => (db.prepare("SELECT name FROM pragma_table_info('two_step__items')").all() as { name: string }[]).map((c) => c.name);

test('migrate status, up, down --to 1, up again: the plugin schema moves, the events do not', async (t) => {
  const home = tempHome(t);
  writeFileSync(join(home, 'two-step.mjs'), PLUGIN);
  writeConfig(home, { projects: [], plugins: { './two-step.mjs': {} } });
  const path = join(home, 'devflow.db');

  const before = await status(home);
  assert.deepEqual(before.find((r) => r.plugin === 'two-step'), { plugin: 'two-step', entry: './two-step.mjs', applied: [], known: [1, 2], pending: [1, 2], ahead: [], note: null });
  const text = await devflow(home, ['migrate', 'status']);
  assert.match(text.stdout, /^two-step +- +1,2 +1,2/m);

  const up = await devflow(home, ['migrate', 'up']);
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /^devflow: kernel: applied 1, 2$/m);
  assert.match(up.stdout, /^devflow: two-step: applied 1, 2$/m);
  const db = openDatabase(path);
  const insert = db.prepare("INSERT INTO events (id, ts, type, source, data) VALUES (?, ?, 'two-step.item.added', 'two-step', '{}')");
  for (let i = 0; i < 100; i++) insert.run(`e-${i}`, Date.now());
  db.prepare("INSERT INTO two_step__items (name, size) VALUES ('a', 1)").run();
  const eventsBefore = db.prepare('SELECT * FROM events ORDER BY seq').all();
  db.close();

  const down = await devflow(home, ['migrate', 'down', '--plugin', 'two-step', '--to', '1']);
  assert.equal(down.code, 0, down.stderr);
  const backup = /^devflow: backup before going down: (.+)$/m.exec(down.stdout)?.[1];
  assert.ok(backup && existsSync(backup), down.stdout);
  assert.match(backup, /backups\/devflow-.*-before-migrate-down\.db$/);
  assert.match(down.stdout, /^devflow: two-step: reverted 2 \(now at 1\)$/m);
  assert.match(down.stdout, /the next devflow start applies them again/);
  assert.match(down.stdout, new RegExp(`To undo: devflow restore ${backup.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  let check = new Database(path, { readonly: true });
  assert.deepEqual(columns(check), ['id', 'name']);
  assert.deepEqual(check.prepare('SELECT * FROM events ORDER BY seq').all(), eventsBefore, 'down never loses events');
  check.close();
  assert.deepEqual((await status(home)).find((r) => r.plugin === 'two-step')?.pending, [2]);

  const again = await devflow(home, ['migrate', 'up', '--plugin', 'two-step']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^devflow: two-step: applied 2$/m);
  check = new Database(path, { readonly: true });
  assert.deepEqual(columns(check), ['id', 'name', 'size']);
  assert.deepEqual(check.prepare('SELECT * FROM events ORDER BY seq').all(), eventsBefore);
  check.close();
  const nothing = await devflow(home, ['migrate', 'up']);
  assert.match(nothing.stdout, /is up to date; nothing to apply/);
});

test('migrate down refuses a step without down, the kernel below 1, and bad arguments, before any backup', async (t) => {
  const home = tempHome(t);
  writeFileSync(join(home, 'two-step.mjs'), PLUGIN);
  writeConfig(home, { projects: [], plugins: { './two-step.mjs': {} } });
  assert.equal((await devflow(home, ['migrate', 'up'])).code, 0);
  const backups = () => (existsSync(join(home, 'backups')) ? readdirSync(join(home, 'backups')).length : 0);

  const noDown = await devflow(home, ['migrate', 'down', '--plugin', 'two-step', '--to', '0']);
  assert.equal(noDown.code, 1);
  assert.match(noDown.stderr, /two-step: migration\(s\) 1 have no down step; nothing was reverted/);
  assert.match(noDown.stderr, /fix: restore the backup taken before the upgrade/);
  const kernel = await devflow(home, ['migrate', 'down', '--plugin', 'kernel', '--to', '0']);
  assert.equal(kernel.code, 1);
  assert.match(kernel.stderr, /the kernel cannot go below version 1: that would drop the event log, and down never loses events/);
  assert.equal(backups(), 0, 'nothing was backed up for a refused down');
  assert.deepEqual((await status(home)).find((r) => r.plugin === 'two-step')?.applied, [1, 2]);

  assert.equal((await devflow(home, ['migrate', 'down', '--plugin', 'two-step'])).code, 2);
  assert.equal((await devflow(home, ['migrate', 'down', '--plugin', 'nope', '--to', '1'])).code, 2);
  assert.equal((await devflow(home, ['migrate', 'sideways'])).code, 2);
  assert.equal((await devflow(home, ['migrate', 'down', '--plugin', 'two-step', '--to', '-1'])).code, 2);
});

test('a down step that would lose events, or touch tables outside the prefix, is rolled back', (t) => {
  const home = tempHome(t);
  const db = openDatabase(join(home, 'devflow.db'));
  t.after(() => db.close());
  db.prepare("INSERT INTO events (id, ts, type, source, data) VALUES ('keep', 1, 'a.b.c', 'a', '{}')").run();
  const rogue = (down: string) => ({
    plugin: 'rogue', entry: 'rogue', enabled: true, prefix: 'rogue__',
    migrations: [{ version: 1, name: 't', up: 'CREATE TABLE rogue__t (a)', down }],
  });
  db.exec('CREATE TABLE rogue__t (a)');
  db.prepare("INSERT INTO schema_migrations (plugin, version, name, applied_at) VALUES ('rogue', 1, 't', 0)").run();
  assert.throws(() => migrateDown(db, rogue('DROP TABLE rogue__t; DELETE FROM events'), 0), /down of migration 1 would lose events; rolled back/);
  assert.throws(() => migrateDown(db, rogue('DROP TABLE rogue__t; CREATE TABLE elsewhere (x)'), 0), /changed elsewhere, outside its prefix rogue__; rolled back/);
  assert.equal((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n, 1);
  assert.ok(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'rogue__t'").get(), 'rolled back whole');
  assert.deepEqual(migrateDown(db, rogue('DROP TABLE rogue__t'), 0), [1]);
});
