// Durability: an acknowledged emit (its promise resolved) survives `kill -9` of the process.
// A child process emits in a loop and prints each acknowledged id; the parent kills it mid-stream
// and checks the database: every acknowledged id is there, the file passes integrity_check, and
// the committed events of each run form a gap-free prefix of what was emitted.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Kernel } from '../src/kernel.js';

// compiled to core/dist/test/; the fixtures stay in core/test/fixtures/storage/
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'storage');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Run {
  child: ChildProcess;
  acked: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startEmitter(db: string, home: string, round: number): Run {
  const child = spawn(process.execPath, [join(FIXTURES, 'emit-loop.mjs'), db, home, String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = {
    child,
    acked: [],
    stderr: [],
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() as string; // an unterminated last line is not an acknowledgement yet
    for (const l of lines) run.acked.push(l);
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => run.stderr.push(chunk));
  return run;
}

async function waitFor(cond: () => boolean, ms: number, what: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(what());
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('every acknowledged event survives kill -9 of the emitting process, over several crash/restart rounds', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'devflow-durability-'));
  const dbPath = join(home, 'devflow.db');
  const children = new Set<ChildProcess>();
  t.after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  const ROUNDS = 3;
  const MIN_ACKS = 4000;
  const allAcked = new Set<string>();
  for (let round = 0; round < ROUNDS; round++) {
    const run = startEmitter(dbPath, home, round);
    children.add(run.child);
    let exitedEarly = false;
    void run.exited.then(() => (exitedEarly = true));
    await waitFor(
      () => run.acked.length >= MIN_ACKS || exitedEarly,
      60_000,
      () => `round ${round}: only ${run.acked.length} acks; child stderr:\n${run.stderr.join('')}`,
    );
    assert.equal(exitedEarly, false, `round ${round}: the child exited by itself:\n${run.stderr.join('')}`);
    run.child.kill('SIGKILL'); // mid-stream: the loop never pauses
    const { signal } = await run.exited;
    children.delete(run.child);
    assert.equal(signal, 'SIGKILL');
    assert.ok(run.acked.length >= MIN_ACKS);
    for (const id of run.acked) {
      assert.match(id, UUID, `round ${round}: garbage on the child's stdout: ${JSON.stringify(id)}`);
      assert.ok(!allAcked.has(id), `id ${id} acknowledged twice`);
      allAcked.add(id);
    }

    // a plain connection, as any tool would open the file after a crash
    const db = new Database(dbPath);
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', `round ${round}: integrity_check`);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      db.exec('CREATE TEMP TABLE acked (id TEXT PRIMARY KEY)');
      const put = db.prepare('INSERT INTO acked (id) VALUES (?)');
      db.transaction((ids: string[]) => {
        for (const id of ids) put.run(id);
      })([...allAcked]);
      const missing = db.prepare('SELECT id FROM temp.acked WHERE id NOT IN (SELECT id FROM main.events) LIMIT 5').all() as { id: string }[];
      const missingCount = (db.prepare('SELECT count(*) AS n FROM temp.acked WHERE id NOT IN (SELECT id FROM main.events)').get() as { n: number }).n;
      assert.equal(missingCount, 0, `round ${round}: ${missingCount} of ${allAcked.size} acknowledged events lost after kill -9, e.g. ${JSON.stringify(missing)}`);

      // what was committed in each round is a gap-free prefix of what that round emitted
      for (let r = 0; r <= round; r++) {
        const s = db
          .prepare("SELECT count(*) AS n, min(json_extract(data, '$.n')) AS lo, max(json_extract(data, '$.n')) AS hi, count(DISTINCT id) AS ids FROM events WHERE type = 'durable.tick.happened' AND json_extract(data, '$.round') = ?")
          .get(r) as { n: number; lo: number; hi: number; ids: number };
        assert.equal(s.lo, 0, `round ${r}: first event missing`);
        assert.equal(s.n, s.hi + 1, `round ${r}: ${s.hi + 1 - s.n} hole(s) in the committed events`);
        assert.equal(s.ids, s.n, `round ${r}: duplicate ids`);
      }
      const thisRound = (db.prepare("SELECT count(*) AS n FROM events WHERE type = 'durable.tick.happened' AND json_extract(data, '$.round') = ?").get(round) as { n: number }).n;
      assert.ok(thisRound >= run.acked.length, `round ${round}: ${thisRound} stored < ${run.acked.length} acknowledged`);
      // seq order matches emit order within a round
      const outOfOrder = db
        .prepare(
          `SELECT count(*) AS n FROM (SELECT json_extract(data, '$.n') AS n, lag(json_extract(data, '$.n')) OVER (ORDER BY seq) AS prev
             FROM events WHERE type = 'durable.tick.happened' AND json_extract(data, '$.round') = ?) WHERE prev IS NOT NULL AND n <> prev + 1`,
        )
        .get(round) as { n: number };
      assert.equal(outOfOrder.n, 0, `round ${round}: seq order differs from emit order`);
    } finally {
      db.close();
    }
  }

  // after the crashes the kernel opens the file normally and reads every event back
  const kernel = Kernel.open({ plugins: [], config: { plugins: {}, kernel: { watchConfig: false } }, databasePath: dbPath, cwd: home, env: { DEVFLOW_HOME: home }, watchConfig: false });
  try {
    assert.ok(kernel.events.count({ types: ['durable.*'] }) >= allAcked.size);
    let seen = 0;
    let page = kernel.events.query({ types: ['durable.*'], limit: 1000 });
    for (;;) {
      for (const e of page.events) if (allAcked.has(e.id)) seen++;
      if (page.next === null) break;
      page = kernel.events.query({ types: ['durable.*'], limit: 1000, after: page.next });
    }
    assert.equal(seen, allAcked.size);
  } finally {
    await kernel.stop();
  }
});
