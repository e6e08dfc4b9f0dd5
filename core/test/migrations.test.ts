// Plugin migrations: order, one transaction each, the ledger, idempotence, failures, the table
// prefix rule, reverting, and isolation of a plugin whose migration fails when run by the kernel.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { definePlugin, type Migration, type SqlDatabase } from '@devflow/plugin-sdk';
import { PluginError } from '../src/errors.js';
import { openDatabase, type Db } from '../src/storage/database.js';
import { applyMigrations, migrationStatus, revertMigrations, type MigrationSet } from '../src/storage/migrations.js';
import { createTestKernel } from '../src/testing/index.js';

function freshDb(t: TestContext): Db {
  const dir = mkdtempSync(join(tmpdir(), 'devflow-migrations-'));
  const db = openDatabase(join(dir, 'm.db'));
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return db;
}

const objects = (db: Db, like: string) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE name LIKE ? AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").all(like) as { name: string }[]).map((r) => r.name);

const ledger = (db: Db, plugin: string) =>
  db.prepare('SELECT version, name, applied_at FROM schema_migrations WHERE plugin = ? ORDER BY version').all(plugin) as { version: number; name: string; applied_at: number }[];

function thrown(fn: () => unknown): PluginError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof PluginError, `expected a PluginError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a throw');
}

/** Three migrations for plugin `shop` (prefix `shop_`); each `up` records that it ran. */
function shop(ran: number[]): Migration[] {
  return [
    {
      version: 2,
      name: 'orders',
      up: (db: SqlDatabase) => {
        ran.push(2);
        db.exec('CREATE TABLE shop_orders (id INTEGER PRIMARY KEY, item INTEGER NOT NULL REFERENCES shop_items (id))');
      },
      down: 'DROP TABLE shop_orders',
    },
    {
      version: 1,
      name: 'items',
      up: (db: SqlDatabase) => {
        ran.push(1);
        db.exec("CREATE TABLE shop_items (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO shop_items (name) VALUES ('apple')");
      },
      down: 'DROP TABLE shop_items',
    },
    {
      version: 3,
      name: 'orders index',
      up: (db: SqlDatabase) => {
        ran.push(3);
        db.exec('CREATE INDEX shop_orders_item ON shop_orders (item)');
      },
      down: 'DROP INDEX shop_orders_item',
    },
  ];
}

describe('applying migrations', () => {
  test('pending migrations run in version order, each recorded in the ledger; a second run does nothing', (t) => {
    const db = freshDb(t);
    const ran: number[] = [];
    const set: MigrationSet = { plugin: 'shop', prefix: 'shop_', migrations: shop(ran) };
    const t0 = Date.now();
    assert.deepEqual(applyMigrations(db, set), [1, 2, 3]);
    assert.deepEqual(ran, [1, 2, 3], 'declared out of order, applied in order');
    assert.deepEqual(objects(db, 'shop%'), ['shop_items', 'shop_orders', 'shop_orders_item']);
    const rows = ledger(db, 'shop');
    assert.deepEqual(rows.map((r) => [r.version, r.name]), [[1, 'items'], [2, 'orders'], [3, 'orders index']]);
    for (const r of rows) assert.ok(r.applied_at >= t0 && r.applied_at <= Date.now());

    assert.deepEqual(applyMigrations(db, set), [], 'idempotent');
    assert.deepEqual(ran, [1, 2, 3], 'nothing re-run');
    assert.deepEqual(ledger(db, 'shop'), rows);
    assert.deepEqual(db.prepare('SELECT name FROM shop_items').all(), [{ name: 'apple' }], 'data migration not repeated');

    const status = migrationStatus(db, set);
    assert.deepEqual(status.applied.map((a) => a.version), [1, 2, 3]);
    assert.deepEqual(status.pending, []);
  });

  test('a new migration added later is applied on the next run, and only it', (t) => {
    const db = freshDb(t);
    const ran: number[] = [];
    const base = shop(ran).filter((m) => m.version < 3);
    applyMigrations(db, { plugin: 'shop', prefix: 'shop_', migrations: base });
    assert.deepEqual(migrationStatus(db, { plugin: 'shop', prefix: 'shop_', migrations: shop([]) }).pending, [{ version: 3, name: 'orders index' }]);
    assert.deepEqual(applyMigrations(db, { plugin: 'shop', prefix: 'shop_', migrations: shop(ran) }), [3]);
    assert.deepEqual(ran, [1, 2, 3]);
  });

  test('the ledger is per plugin: the same versions of two plugins do not collide', (t) => {
    const db = freshDb(t);
    applyMigrations(db, { plugin: 'shop', prefix: 'shop_', migrations: shop([]) });
    applyMigrations(db, { plugin: 'shop-two', prefix: 'shop_two_', migrations: [{ version: 1, name: 'x', up: 'CREATE TABLE shop_two_x (a)' }] });
    assert.deepEqual(ledger(db, 'shop-two').map((r) => r.version), [1]);
    assert.equal(ledger(db, 'shop').length, 3);
  });

  test('a failing migration rolls back only itself and reports KRN_ERR_MIGRATION_FAILED naming plugin and version', (t) => {
    const db = freshDb(t);
    const ran: number[] = [];
    const migrations: Migration[] = [
      ...shop(ran),
      {
        version: 4,
        name: 'broken',
        // the first statement succeeds; the second fails: the first must not survive
        up: 'CREATE TABLE shop_half (a); INSERT INTO shop_items (name) VALUES (\'pear\'); INSERT INTO shop_nowhere VALUES (1)',
      },
      { version: 5, name: 'after broken', up: 'CREATE TABLE shop_later (a)' },
    ];
    const err = thrown(() => applyMigrations(db, { plugin: 'shop', prefix: 'shop_', migrations }));
    assert.equal(err.code, 'KRN_ERR_MIGRATION_FAILED');
    assert.equal(err.plugin, 'shop');
    assert.equal(err.phase, 'migrate');
    assert.match(err.message, /\[shop\]/);
    assert.match(err.detail, /migration 4 \(broken\)/);
    assert.match(err.detail, /shop_nowhere/, 'the SQLite cause is in the detail');
    assert.ok(err.cause, 'the cause is kept');

    assert.deepEqual(ledger(db, 'shop').map((r) => r.version), [1, 2, 3], 'earlier migrations stay applied');
    assert.deepEqual(objects(db, 'shop%'), ['shop_items', 'shop_orders', 'shop_orders_item'], 'no trace of 4, and 5 never ran');
    assert.deepEqual(db.prepare('SELECT name FROM shop_items').all(), [{ name: 'apple' }], 'data changes of the failed migration rolled back');

    // a fixed migration 4 applies on the next run, followed by 5
    migrations[3] = { version: 4, name: 'fixed', up: 'CREATE TABLE shop_half (a)' };
    assert.deepEqual(applyMigrations(db, { plugin: 'shop', prefix: 'shop_', migrations }), [4, 5]);
  });

  test('a migration function that throws is rolled back the same way', (t) => {
    const db = freshDb(t);
    const err = thrown(() =>
      applyMigrations(db, {
        plugin: 'fn-plugin',
        prefix: 'fn_plugin_',
        migrations: [
          {
            version: 1,
            name: 'throws',
            up: (d) => {
              d.exec('CREATE TABLE fn_plugin_a (x)');
              throw new Error('boom in migration');
            },
          },
        ],
      }),
    );
    assert.equal(err.code, 'KRN_ERR_MIGRATION_FAILED');
    assert.match(err.detail, /migration 1 \(throws\).*boom in migration/);
    assert.deepEqual(objects(db, 'fn_plugin%'), []);
    assert.deepEqual(ledger(db, 'fn-plugin'), []);
  });

  test('objects outside the plugin prefix are refused with KRN_ERR_MIGRATION_PREFIX and rolled back', (t) => {
    const db = freshDb(t);
    const set = (up: string): MigrationSet => ({ plugin: 'shop', prefix: 'shop_', migrations: [...shop([]), { version: 9, name: 'sneaky', up }] });
    applyMigrations(db, { plugin: 'shop', prefix: 'shop_', migrations: shop([]) });
    const schemaBefore = db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all();
    for (const [what, up] of [
      ['table', 'CREATE TABLE shop_ok (a); CREATE TABLE orders (a)'],
      ['index', 'CREATE INDEX items_by_name ON shop_items (name)'],
      ['view', 'CREATE VIEW all_items AS SELECT * FROM shop_items'],
      ['trigger', "CREATE TRIGGER items_audit AFTER INSERT ON shop_items BEGIN SELECT 1; END"],
      ['another plugin\'s prefix', 'CREATE TABLE shopping_list (a)'],
      ['a name LIKE would take for internal', 'CREATE TABLE sqlitecache (a)'],
      ['dropping a kernel table', 'DROP TABLE audit_log'],
      ['altering a kernel table', 'ALTER TABLE events ADD COLUMN shop_extra TEXT'],
      ['renaming a kernel table into the prefix', 'ALTER TABLE leases RENAME TO shop_leases'],
    ] as const) {
      const err = thrown(() => applyMigrations(db, set(up)));
      assert.equal(err.code, 'KRN_ERR_MIGRATION_PREFIX', `${what}: ${err.message}`);
      assert.equal(err.plugin, 'shop');
      assert.match(err.detail, /migration 9 \(sneaky\)/);
      assert.match(err.detail, /"shop_"/);
      assert.deepEqual(db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all(), schemaBefore, `${what}: schema must be unchanged`);
      assert.deepEqual(ledger(db, 'shop').map((r) => r.version), [1, 2, 3], `${what}: not recorded`);
    }
    // and the kernel's tables still work
    assert.equal((db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n, 0);
  });

  test('the prefix check passes objects inside the prefix, including triggers on kernel tables named in the prefix', (t) => {
    const db = freshDb(t);
    const applied = applyMigrations(db, {
      plugin: 'shop',
      prefix: 'shop_',
      migrations: [
        { version: 1, name: 'all kinds', up: `CREATE TABLE shop_a (x UNIQUE); CREATE INDEX shop_a_x ON shop_a (x); CREATE VIEW shop_v AS SELECT * FROM shop_a;
          CREATE TRIGGER shop_on_event AFTER INSERT ON events BEGIN INSERT INTO shop_a (x) VALUES (NEW.seq); END` },
      ],
    });
    assert.deepEqual(applied, [1]);
  });
});

describe('reverting migrations', () => {
  test('down steps run newest first to the target version, the ledger follows, and up re-applies', (t) => {
    const db = freshDb(t);
    const set: MigrationSet = { plugin: 'shop', prefix: 'shop_', migrations: shop([]) };
    applyMigrations(db, set);
    assert.deepEqual(revertMigrations(db, set, 1), [3, 2]);
    assert.deepEqual(ledger(db, 'shop').map((r) => r.version), [1]);
    assert.deepEqual(objects(db, 'shop%'), ['shop_items']);
    assert.deepEqual(migrationStatus(db, set).pending.map((p) => p.version).sort(), [2, 3]);
    assert.deepEqual(revertMigrations(db, set, 1), [], 'already there');
    assert.deepEqual(applyMigrations(db, set), [2, 3]);
    assert.deepEqual(objects(db, 'shop%'), ['shop_items', 'shop_orders', 'shop_orders_item']);
    assert.deepEqual(revertMigrations(db, set, 0), [3, 2, 1]);
    assert.deepEqual(objects(db, 'shop%'), []);
    assert.deepEqual(ledger(db, 'shop'), []);
  });

  test('a missing down step refuses the whole revert before changing anything', (t) => {
    const db = freshDb(t);
    const migrations = shop([]).map((m) => (m.version === 2 ? { ...m, down: undefined } : m));
    applyMigrations(db, { plugin: 'shop', prefix: 'shop_', migrations });
    const err = thrown(() => revertMigrations(db, { plugin: 'shop', prefix: 'shop_', migrations }, 0));
    assert.equal(err.code, 'KRN_ERR_MIGRATION_FAILED');
    assert.equal(err.plugin, 'shop');
    assert.match(err.detail, /2/);
    assert.deepEqual(ledger(db, 'shop').map((r) => r.version), [1, 2, 3]);
    assert.deepEqual(objects(db, 'shop%'), ['shop_items', 'shop_orders', 'shop_orders_item']);
  });

  test('a failing down step is reported as KRN_ERR_MIGRATION_FAILED naming plugin and version; it rolls back alone', (t) => {
    const db = freshDb(t);
    const migrations = shop([]).map((m) => (m.version === 2 ? { ...m, down: 'DROP TABLE shop_orders; DROP TABLE shop_does_not_exist' } : m));
    const set: MigrationSet = { plugin: 'shop', prefix: 'shop_', migrations };
    applyMigrations(db, set);
    const err = thrown(() => revertMigrations(db, set, 0));
    assert.equal(err.code, 'KRN_ERR_MIGRATION_FAILED');
    assert.equal(err.plugin, 'shop');
    assert.match(err.detail, /migration 2 \(orders\)/);
    assert.deepEqual(ledger(db, 'shop').map((r) => r.version), [1, 2], '3 was reverted, 2 was not, 1 was not reached');
    assert.deepEqual(objects(db, 'shop%'), ['shop_items', 'shop_orders']);
  });
});

describe('migrations run by the kernel', () => {
  test('a plugin whose migration fails is isolated: others start, its dependents are skipped, its start never runs', async (t) => {
    let brokenStarted = false;
    const good = definePlugin({
      id: 'good-one',
      version: '1.0.0',
      kernel: '^1.0.0',
      migrations: [{ version: 1, name: 'things', up: 'CREATE TABLE good_one__things (id INTEGER PRIMARY KEY)' }],
      start(ctx) {
        ctx.storage.db.prepare('INSERT INTO good_one__things DEFAULT VALUES').run();
      },
    });
    const broken = definePlugin({
      id: 'broken-one',
      version: '1.0.0',
      kernel: '^1.0.0',
      migrations: [
        { version: 1, name: 'fine', up: 'CREATE TABLE broken_one__a (x)' },
        { version: 2, name: 'typo', up: 'CREAT TABLE broken_one__b (x)' },
      ],
      start() {
        brokenStarted = true;
      },
    });
    const sneaky = definePlugin({
      id: 'sneaky',
      version: '1.0.0',
      kernel: '^1.0.0',
      migrations: [{ version: 1, name: 'grab', up: 'CREATE TABLE users (x)' }],
      start() {},
    });
    const dependent = definePlugin({ id: 'needs-broken', version: '1.0.0', kernel: '^1.0.0', dependencies: { 'broken-one': '^1.0.0' }, start() {} });
    const tk = await createTestKernel({ plugins: [good, broken, sneaky, dependent], allowFailures: true, t });

    const byId = new Map(tk.kernel.status().plugins.map((p) => [p.id, p]));
    assert.equal(byId.get('good-one')?.state, 'started');
    assert.equal(byId.get('broken-one')?.state, 'failed');
    assert.equal(byId.get('broken-one')?.code, 'KRN_ERR_MIGRATION_FAILED');
    assert.match(byId.get('broken-one')?.reason ?? '', /migration 2 \(typo\)/);
    assert.equal(byId.get('sneaky')?.state, 'failed');
    assert.equal(byId.get('sneaky')?.code, 'KRN_ERR_MIGRATION_PREFIX');
    assert.equal(byId.get('needs-broken')?.state, 'skipped');
    assert.equal(brokenStarted, false);

    const problems = tk.report.problems.map((p) => [p.plugin, p.code]);
    assert.deepEqual(
      problems.sort(),
      [
        ['broken-one', 'KRN_ERR_MIGRATION_FAILED'],
        ['needs-broken', 'KRN_ERR_DEPENDENCY_FAILED'],
        ['sneaky', 'KRN_ERR_MIGRATION_PREFIX'],
      ],
    );
    const db = tk.kernel.db;
    assert.deepEqual(ledger(db, 'broken-one').map((r) => r.version), [1], 'the good first migration stays');
    assert.deepEqual(objects(db, 'broken_one%'), ['broken_one__a']);
    assert.deepEqual(objects(db, 'users'), []);
    assert.deepEqual(ledger(db, 'good-one').map((r) => r.version), [1]);
    assert.equal((db.prepare('SELECT count(*) AS n FROM good_one__things').get() as { n: number }).n, 1);
  });

  test('migrations are applied once across kernel restarts on the same database', async (t) => {
    let runs = 0;
    const counted = definePlugin({
      id: 'counted',
      version: '1.0.0',
      kernel: '^1.0.0',
      migrations: [
        {
          version: 1,
          name: 'table',
          up: (db) => {
            runs++;
            db.exec('CREATE TABLE counted__t (x)');
          },
        },
      ],
      start() {},
    });
    const first = await createTestKernel({ plugins: [counted], t });
    const path = first.kernel.databasePath;
    await first.kernel.stop();
    const { Kernel } = await import('../src/kernel.js');
    const again = Kernel.open({ plugins: [counted], config: { plugins: {}, kernel: { watchConfig: false } }, databasePath: path, cwd: first.home, env: { DEVFLOW_HOME: first.home }, logger: first.kernel.logger });
    const report = await again.start();
    await again.stop();
    assert.deepEqual(report.problems, []);
    assert.equal(runs, 1);
  });
});

describe('several processes opening one fresh database at once', () => {
  const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'storage');

  test('every process starts; kernel and plugin migrations are applied exactly once', async (t) => {
    const ROUNDS = 4;
    const PROCS = 5;
    const children = new Set<ReturnType<typeof spawn>>();
    t.after(() => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    });
    for (let round = 0; round < ROUNDS; round++) {
      const home = mkdtempSync(join(tmpdir(), 'devflow-migrate-race-'));
      t.after(() => rmSync(home, { recursive: true, force: true }));
      const dbPath = join(home, 'devflow.db');
      const at = Date.now() + 800; // every child busy-waits until then, then opens the database
      const results = await Promise.all(
        Array.from(
          { length: PROCS },
          (_, i) =>
            new Promise<string>((resolve) => {
              const c = spawn(process.execPath, [join(FIXTURES, 'open-migrate.mjs'), dbPath, home, `p${i}`, String(at)], { stdio: ['ignore', 'pipe', 'pipe'] });
              children.add(c);
              let out = '';
              let err = '';
              c.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
              c.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
              c.once('exit', () => (children.delete(c), resolve(out.trim() || `no output; stderr: ${err.slice(-1000)}`)));
            }),
        ),
      );
      for (const r of results) assert.match(r, /"ok":true/, `round ${round}: a process failed to open the shared fresh database: ${r}`);
      const db = new Database(dbPath, { readonly: true });
      try {
        const rows = db.prepare('SELECT plugin, version, count(*) AS n FROM schema_migrations GROUP BY plugin, version ORDER BY plugin, version').all();
        assert.deepEqual(rows, [
          { plugin: 'kernel', version: 1, n: 1 },
          { plugin: 'kernel', version: 2, n: 1 },
          { plugin: 'race-plugin', version: 1, n: 1 },
          { plugin: 'race-plugin', version: 2, n: 1 },
          { plugin: 'race-plugin', version: 3, n: 1 },
        ]);
        assert.deepEqual(db.prepare("SELECT who FROM race_plugin__items WHERE who = 'seed'").all(), [{ who: 'seed' }], 'the data migration ran once');
        assert.equal((db.prepare("SELECT count(*) AS n FROM race_plugin__items WHERE who <> 'seed'").get() as { n: number }).n, PROCS, 'every process started the plugin');
      } finally {
        db.close();
      }
    }
  });
});
