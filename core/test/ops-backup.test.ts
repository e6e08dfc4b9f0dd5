// devflow backup: an online copy taken while another process ingests 100k events restores to a
// sound database holding every event acknowledged before the backup began; a target that cannot
// be written is refused with nothing left behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { DIST, devflow, tempHome, waitFor } from './ops-helpers.js';

const TOTAL = 100_000;

/** A kernel with a stand-in source emitting TOTAL events in paced bursts; prints "acked N" after each burst commits. */
function ingestScript(): string {
  const kernel = pathToFileURL(join(DIST, 'index.js')).href;
  const testing = pathToFileURL(join(DIST, 'testing', 'index.js')).href;
  return `
import { Kernel } from ${JSON.stringify(kernel)};
import { eventSources } from ${JSON.stringify(testing)};
const [databasePath, home] = process.argv.slice(2);
const kernel = Kernel.open({ plugins: eventSources(['stand-in']), config: { plugins: {}, kernel: { watchConfig: false } }, databasePath, cwd: home, env: { DEVFLOW_HOME: home }, watchConfig: false });
const report = await kernel.start();
if (report.problems.length) { process.stderr.write(report.problems.map((p) => p.message).join('\\n')); process.exit(1); }
const api = kernel.pluginApi('stand-in');
let n = 0;
while (n < ${TOTAL}) {
  const burst = [];
  for (let i = 0; i < 200 && n < ${TOTAL}; i++) burst.push(api.emit('stand-in.tick.happened', { n: n++ }));
  await Promise.all(burst);
  process.stdout.write('acked ' + n + '\\n');
  await new Promise((r) => setTimeout(r, 4));
}
process.stdout.write('done\\n');
process.stdin.on('data', async () => { await kernel.stop(); process.exit(0); });
`;
}

test('a backup taken during a 100k-event ingest restores to a sound database with every event acknowledged before it began', async (t) => {
  const home = tempHome(t);
  const db = join(home, 'devflow.db');
  const script = join(home, 'ingest.mjs');
  writeFileSync(script, ingestScript());
  const child = spawn(process.execPath, [script, db, home], { stdio: ['pipe', 'pipe', 'pipe'] });
  t.after(() => void (child.exitCode === null && child.kill('SIGKILL')));
  let acked = 0;
  let done = false;
  let stderr = '';
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() as string;
    for (const l of lines) if (l === 'done') done = true; else if (l.startsWith('acked ')) acked = Number(l.slice(6));
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));

  await waitFor(() => acked >= 10_000 || child.exitCode !== null, 60_000, () => `ingest did not get going: ${stderr}`);
  const ackedAtStart = acked; // every event with n < ackedAtStart is committed before the backup process starts
  const target = join(home, 'backups-here', 'mid-ingest.db');
  const backup = await devflow(home, ['backup', target, '--json']);
  const ackedAtEnd = acked;
  assert.equal(backup.code, 0, backup.stderr);
  const result = JSON.parse(backup.stdout) as { path: string; events: number; bytes: number };
  assert.equal(result.path, target);
  assert.ok(ackedAtStart < TOTAL, 'the backup began while the ingest was still running');
  t.diagnostic(`backup began at ${ackedAtStart} acked events and ended at ${ackedAtEnd}; it holds ${result.events} events`);

  await waitFor(() => done || child.exitCode !== null, 120_000, () => `ingest did not finish: ${stderr}`);
  child.stdin.end('stop\n');

  // Restore into a fresh home (no database there yet), as a user moving to a new machine would.
  const fresh = tempHome(t);
  const restored = await devflow(fresh, ['restore', target]);
  assert.equal(restored.code, 0, restored.stderr);
  assert.match(restored.stdout, /restored .*mid-ingest\.db/);
  const r = new Database(join(fresh, 'devflow.db'), { readonly: true });
  try {
    assert.deepEqual(r.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
    const got = r
      .prepare("SELECT count(DISTINCT json_extract(data, '$.n')) AS n FROM events WHERE type = 'stand-in.tick.happened' AND json_extract(data, '$.n') < ?")
      .get(ackedAtStart) as { n: number };
    assert.equal(got.n, ackedAtStart, 'every event acknowledged before the backup began is in the restored database');
    const all = r.prepare("SELECT count(*) AS n FROM events WHERE type = 'stand-in.tick.happened'").get() as { n: number };
    assert.ok(all.n >= ackedAtStart && all.n <= TOTAL);
  } finally {
    r.close();
  }
  assert.equal(statSync(target).mode & 0o777, 0o600, 'a backup is private to its owner');
});

test('a backup target that cannot be written is refused, exit 1, nothing half-written', async (t) => {
  const home = tempHome(t);
  const setup = await devflow(home, ['status']); // creates the database
  assert.equal(setup.code, 0, setup.stderr);

  const locked = join(home, 'locked');
  mkdirSync(locked);
  chmodSync(locked, 0o555);
  const r1 = await devflow(home, ['backup', join(locked, 'b.db')]);
  assert.equal(r1.code, 1);
  assert.match(r1.stderr, /locked is read-only \(mode 555\); the backup was not written/);
  assert.match(r1.stderr, /fix: chmod u\+w/);
  assert.deepEqual(readdirSync(locked), []);

  writeFileSync(join(home, 'a-file'), 'x');
  const r2 = await devflow(home, ['backup', join(home, 'a-file', 'b.db')]);
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /devflow: cannot create .*a-file for the backup/);

  const existing = join(home, 'taken.db');
  writeFileSync(existing, 'keep me');
  const r3 = await devflow(home, ['backup', existing]);
  assert.equal(r3.code, 1);
  assert.match(r3.stderr, /already exists; a backup never overwrites a file/);

  // No temp files anywhere, and the default target works.
  assert.ok(!readdirSync(home).some((f) => f.includes('.partial-')));
  const ok = await devflow(home, ['backup']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /to {7}.*backups\/devflow-.*\.db\n/);
  assert.ok(existsSync(join(home, 'backups')));
  assert.equal(statSync(join(home, 'backups')).mode & 0o777, 0o700);
});

test('backup without a database says so', async (t) => {
  const home = tempHome(t);
  const r = await devflow(home, ['backup']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /there is no database at .*devflow\.db; nothing to back up/);
});
