// The monitor lease: one holder at a time on a shared database file, across real processes. A
// `needsLease` plugin runs in exactly one process; the others stand by and take over when the
// owner exits cleanly or is killed. No start is recorded twice.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { definePlugin } from '@devflow/plugin-sdk';
import { ConfigError, Kernel } from '../src/kernel.js';
import { openDatabase, type Db } from '../src/storage/database.js';
import { Lease } from '../src/storage/lease.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'storage');
const DEADLINE = 10_000;

function tempHome(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'devflow-lease-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function until(cond: () => boolean, what: () => string, ms = DEADLINE): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(what());
    await new Promise((r) => setTimeout(r, 25));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Message {
  type: 'ready' | 'state' | 'started' | 'stopped';
  pid?: number;
  state?: string | null;
  held?: boolean;
  id?: string;
  counter?: number;
}

/** One kernel process holding (or waiting for) the lease. */
class Holder {
  readonly child: ChildProcess;
  readonly messages: Message[] = [];
  readonly stderr: string[] = [];
  state: string | null | undefined;
  held = false;
  ready = false;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly label: string,
    db: string,
    home: string,
    ttlMs: number,
  ) {
    this.child = spawn(process.execPath, [join(FIXTURES, 'lease-holder.mjs'), db, home, label, String(ttlMs)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
    let partial = '';
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() as string;
      for (const line of lines) {
        const m = JSON.parse(line) as Message;
        this.messages.push(m);
        if (m.type === 'ready') this.ready = true;
        if (m.state !== undefined) this.state = m.state;
        if (m.held !== undefined) this.held = m.held;
      }
    });
    this.child.stderr?.setEncoding('utf8').on('data', (c: string) => this.stderr.push(c));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  starts(): number {
    return this.messages.filter((m) => m.type === 'started').length;
  }

  describe(): string {
    return `${this.label} (pid ${this.pid}): ready=${this.ready} state=${this.state} held=${this.held} exit=${JSON.stringify(this.exit)} stderr=${this.stderr.join('').slice(-2000)}`;
  }

  async stopCleanly(): Promise<void> {
    this.child.stdin?.write('stop\n');
    const { code } = await this.exited;
    assert.equal(code, 0, `clean stop of ${this.describe()}`);
  }
}

function holders(t: TestContext) {
  const all: Holder[] = [];
  t.after(async () => {
    for (const h of all) if (h.alive) h.child.kill('SIGKILL');
    await Promise.all(all.map((h) => h.exited));
  });
  return (label: string, db: string, home: string, ttlMs = 3000) => {
    const h = new Holder(label, db, home, ttlMs);
    all.push(h);
    return h;
  };
}

interface ProbeEvent {
  seq: number;
  id: string;
  type: string;
  label: string;
  pid: number;
  counter: number | null;
}

function probeEvents(dbPath: string): ProbeEvent[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT seq, id, type, json_extract(data, '$.label') AS label, json_extract(data, '$.pid') AS pid, json_extract(data, '$.counter') AS counter
         FROM events WHERE type LIKE 'lease-probe.probe.%' ORDER BY seq`,
      )
      .all() as ProbeEvent[];
  } finally {
    db.close();
  }
}

/** Starts and stops must alternate: a second start before the first holder stopped is a double run. */
function assertNeverTwoAtOnce(events: ProbeEvent[], killed: Set<string>): void {
  let running: string | null = null;
  for (const e of events) {
    if (e.type === 'lease-probe.probe.started') {
      assert.ok(running === null || killed.has(running), `${e.label} started while ${running} was running: ${JSON.stringify(events)}`);
      running = e.label;
    } else {
      assert.equal(running, e.label, `stop of ${e.label} while ${running} ran`);
      running = null;
    }
  }
}

function assertOneStartPerHolder(events: ProbeEvent[], labels: string[]): void {
  const starts = events.filter((e) => e.type === 'lease-probe.probe.started');
  assert.equal(new Set(events.map((e) => e.id)).size, events.length, 'no event recorded twice');
  assert.deepEqual(
    starts.map((e) => e.label),
    labels,
    `exactly one "started" per holder, in takeover order: ${JSON.stringify(starts)}`,
  );
  for (const s of starts) assert.equal(s.counter, 1, `${s.label} started more than once in its process`);
}

describe('lease between processes', () => {
  test('only one of two processes runs the lease plugin; when the owner exits cleanly the other takes over', async (t) => {
    const home = tempHome(t);
    const dbPath = join(home, 'devflow.db');
    const spawnHolder = holders(t);

    const a = spawnHolder('A', dbPath, home);
    await until(() => a.state === 'started' && a.starts() === 1, () => a.describe());
    assert.equal(a.held, true);
    const b = spawnHolder('B', dbPath, home);
    await until(() => b.ready, () => b.describe());
    assert.equal(b.state, 'standby', b.describe());
    assert.equal(b.held, false);

    // several renew/check rounds later nothing has changed (a 3 s lease is checked every second)
    await sleep(2500);
    assert.equal(a.state, 'started', a.describe());
    assert.equal(b.state, 'standby', b.describe());
    assert.equal(b.starts(), 0);

    await a.stopCleanly();
    assert.ok(a.messages.some((m) => m.type === 'stopped'));
    await until(() => b.state === 'started' && b.starts() === 1, () => `B did not take over after A exited: ${b.describe()}`);
    assert.equal(b.held, true);
    await b.stopCleanly();

    const events = probeEvents(dbPath);
    assertOneStartPerHolder(events, ['A', 'B']);
    assertNeverTwoAtOnce(events, new Set());
    assert.equal(events.find((e) => e.label === 'A')?.pid, a.pid);
    assert.equal(events.find((e) => e.label === 'B')?.pid, b.pid);
    assert.deepEqual(events.map((e) => `${e.label}:${e.type.split('.').at(-1)}`), ['A:started', 'A:stopped', 'B:started', 'B:stopped']);
    // a clean stop releases the lease
    const db = new Database(dbPath, { readonly: true });
    t.after(() => db.close());
    assert.equal(db.prepare("SELECT count(*) AS n FROM leases WHERE name = 'monitors'").pluck().get(), 0);
  });

  test('when the owner is killed with SIGKILL the standby process takes over', async (t) => {
    const home = tempHome(t);
    const dbPath = join(home, 'devflow.db');
    const spawnHolder = holders(t);

    const a = spawnHolder('A', dbPath, home);
    await until(() => a.state === 'started' && a.starts() === 1, () => a.describe());
    const b = spawnHolder('B', dbPath, home);
    await until(() => b.ready && b.state === 'standby', () => b.describe());

    a.child.kill('SIGKILL');
    const { signal } = await a.exited;
    assert.equal(signal, 'SIGKILL');
    await until(() => b.state === 'started' && b.starts() === 1, () => `B did not take over after A was killed: ${b.describe()}`);
    const holderRow = () => {
      const db = new Database(dbPath, { readonly: true });
      try {
        return db.prepare("SELECT pid, host FROM leases WHERE name = 'monitors'").get() as { pid: number; host: string };
      } finally {
        db.close();
      }
    };
    assert.deepEqual(holderRow(), { pid: b.pid, host: hostname() });
    await b.stopCleanly();

    const events = probeEvents(dbPath);
    assertOneStartPerHolder(events, ['A', 'B']);
    assertNeverTwoAtOnce(events, new Set(['A']));
  });

  test('three processes racing for the lease: exactly one runs; after SIGKILL exactly one of the rest takes over', async (t) => {
    const home = tempHome(t);
    const dbPath = join(home, 'devflow.db');
    // no database yet: the three also race to create and migrate it
    const spawnHolder = holders(t);
    const hs = ['A', 'B', 'C'].map((l) => spawnHolder(l, dbPath, home));
    const running = () => hs.filter((h) => h.alive && h.state === 'started');
    await until(() => hs.every((h) => h.ready) && running().length === 1, () => hs.map((h) => h.describe()).join('\n'));
    await sleep(2500);
    assert.equal(running().length, 1, hs.map((h) => h.describe()).join('\n'));
    assert.deepEqual(hs.filter((h) => h.state === 'standby').length, 2);

    const first = running()[0] as Holder;
    first.child.kill('SIGKILL');
    await first.exited;
    await until(() => running().length === 1, () => `no takeover: ${hs.map((h) => h.describe()).join('\n')}`);
    await sleep(2500);
    const rest = hs.filter((h) => h.alive);
    assert.equal(running().length, 1, rest.map((h) => h.describe()).join('\n'));
    const second = running()[0] as Holder;
    assert.notEqual(second, first);
    assert.equal(rest.filter((h) => h.state === 'standby').length, 1);
    for (const h of rest) await h.stopCleanly();

    const events = probeEvents(dbPath);
    assertOneStartPerHolder(events, [first.label, second.label]);
    assertNeverTwoAtOnce(events, new Set([first.label]));
  });
});

describe('Lease (one database, several connections)', () => {
  function twoConnections(t: TestContext): [Db, Db] {
    const home = tempHome(t);
    const path = join(home, 'lease.db');
    const a = openDatabase(path);
    const b = openDatabase(path);
    t.after(() => (a.close(), b.close()));
    return [a, b];
  }

  test('one owner at a time; renewing keeps acquired_at; release frees it only for the owner', async (t) => {
    const [da, db] = twoConnections(t);
    const a = new Lease(da, 'monitors', 60_000, 'owner-a');
    const b = new Lease(db, 'monitors', 60_000, 'owner-b');
    assert.equal(a.acquire(), true);
    assert.equal(b.acquire(), false);
    const first = a.holder();
    assert.equal(first?.owner, 'owner-a');
    assert.equal(first?.pid, process.pid);
    assert.equal(first?.host, hostname());
    await sleep(5);
    assert.equal(a.acquire(), true, 'renew');
    const renewed = a.holder();
    assert.equal(renewed?.acquiredAt, first?.acquiredAt);
    assert.ok((renewed?.expiresAt as number) >= (first?.expiresAt as number));
    b.release(); // not the owner: no effect
    assert.equal(b.acquire(), false);
    a.release();
    assert.equal(a.holder(), undefined);
    assert.equal(b.acquire(), true);
    assert.equal(a.acquire(), false);
    // a different lease name is independent
    assert.equal(new Lease(da, 'other', 60_000, 'owner-a').acquire(), true);
  });

  test('an expired lease is taken over, even from a live process', async (t) => {
    const [da, db] = twoConnections(t);
    const a = new Lease(da, 'monitors', 500, 'owner-a');
    const b = new Lease(db, 'monitors', 500, 'owner-b');
    assert.equal(a.acquire(), true);
    assert.equal(b.acquire(), false);
    await until(() => b.acquire(), () => 'the expired lease was never taken over');
    assert.equal(b.holder()?.owner, 'owner-b');
    assert.equal(a.acquire(), false, 'the old owner lost it');
  });

  test('a holder on this host whose process is gone is taken over at once, before its lease expires', (t) => {
    const [da] = twoConnections(t);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    assert.ok(deadPid > 0);
    const far = Date.now() + 3_600_000;
    da.prepare('INSERT INTO leases (name, owner, pid, host, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)').run('monitors', 'ghost', deadPid, hostname(), Date.now(), far);
    const b = new Lease(da, 'monitors', 60_000, 'owner-b');
    assert.equal(b.acquire(), true);
    assert.equal(b.holder()?.owner, 'owner-b');
  });

  test('a live holder, or a holder on another host, is not taken over before expiry', (t) => {
    const [da] = twoConnections(t);
    const far = Date.now() + 3_600_000;
    const put = da.prepare('INSERT OR REPLACE INTO leases (name, owner, pid, host, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)');
    const b = new Lease(da, 'monitors', 60_000, 'owner-b');
    put.run('monitors', 'live', process.ppid, hostname(), Date.now(), far);
    assert.equal(b.acquire(), false, 'the parent process is alive');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    put.run('monitors', 'elsewhere', Number(dead.stdout), 'some-other-host', Date.now(), far);
    assert.equal(b.acquire(), false, 'a pid on another host says nothing about liveness');
  });
});

describe('lease inside one process', () => {
  test('a second kernel on the same file stands by (with the plugins that need the lease plugin) and takes over on stop', async (t) => {
    const home = tempHome(t);
    const dbPath = join(home, 'devflow.db');
    const starts: string[] = [];
    const make = (who: string) => {
      const monitor = definePlugin({ id: 'mon', version: '1.0.0', kernel: '^1.0.0', needsLease: true, start: () => void starts.push(`${who}:mon`) });
      const user = definePlugin({ id: 'mon-user', version: '1.0.0', kernel: '^1.0.0', dependencies: { mon: '^1.0.0' }, start: () => void starts.push(`${who}:mon-user`) });
      const tools = definePlugin({ id: 'tools-only', version: '1.0.0', kernel: '^1.0.0', start: () => void starts.push(`${who}:tools-only`) });
      return Kernel.open({
        plugins: [monitor, user, tools],
        config: { plugins: {}, kernel: { watchConfig: false, leaseTtlMs: 600 } },
        databasePath: dbPath,
        cwd: home,
        env: { DEVFLOW_HOME: home },
        watchConfig: false,
      });
    };
    const k1 = make('k1');
    const k2 = make('k2');
    t.after(async () => {
      await k1.stop();
      await k2.stop();
    });
    assert.deepEqual((await k1.start()).problems, []);
    assert.deepEqual((await k2.start()).problems, []);
    const states = (k: Kernel) => Object.fromEntries(k.status().plugins.map((p) => [p.id, p.state]));
    assert.deepEqual(states(k1), { mon: 'started', 'mon-user': 'started', 'tools-only': 'started' });
    assert.deepEqual(states(k2), { mon: 'standby', 'mon-user': 'standby', 'tools-only': 'started' });
    assert.equal(k1.status().lease.held, true);
    assert.equal(k2.status().lease.held, false);
    assert.equal(k2.status().lease.holder, k1.status().lease.holder);

    // same pid, so only the release (or expiry, which k1's renewals prevent) can free it
    await sleep(1500);
    assert.deepEqual(states(k2), { mon: 'standby', 'mon-user': 'standby', 'tools-only': 'started' });

    await k1.stop();
    await until(() => states(k2).mon === 'started' && states(k2)['mon-user'] === 'started', () => JSON.stringify(k2.status().plugins));
    assert.equal(k2.status().lease.held, true);
    assert.deepEqual(starts.sort(), ['k1:mon', 'k1:mon-user', 'k1:tools-only', 'k2:mon', 'k2:mon-user', 'k2:tools-only']);
  });

  test('leaseTtlMs below 500 ms is refused by the config check', (t) => {
    const home = tempHome(t);
    assert.throws(
      () => Kernel.open({ plugins: [], config: { plugins: {}, kernel: { leaseTtlMs: 100 } }, databasePath: join(home, 'x.db'), cwd: home, env: { DEVFLOW_HOME: home }, watchConfig: false }),
      (e: unknown) => e instanceof ConfigError && /leaseTtlMs/.test(e.message),
    );
  });
});
