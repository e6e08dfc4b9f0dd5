// Log rotation: by size and by day, <file>.1 newest, `keep` files kept; two writers on one file;
// a kernel with logging.file and logging.rotate produces rotated files and nothing on stdout.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { RotatingFile } from '../src/ops/log-rotate.js';
import { DIST, tempHome } from './ops-helpers.js';

const line = (i: number) => `${JSON.stringify({ i, msg: 'x'.repeat(80) })}\n`;

test('rotates by size, keeps `keep` files, the newest as .1, no line lost or split', (t) => {
  const dir = tempHome(t);
  const file = join(dir, 'logs', 'devflow.log');
  const out = new RotatingFile(file, { maxBytes: 1000, keep: 3, daily: false });
  for (let i = 0; i < 100; i++) out.write(line(i));
  out.close();
  const files = readdirSync(join(dir, 'logs')).sort();
  assert.deepEqual(files, ['devflow.log', 'devflow.log.1', 'devflow.log.2', 'devflow.log.3']);
  for (const f of files) assert.ok(statSync(join(dir, 'logs', f)).size <= 1000, `${f} within the size`);
  const read = (f: string) => readFileSync(join(dir, 'logs', f), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
  const kept = [...read('devflow.log.3'), ...read('devflow.log.2'), ...read('devflow.log.1'), ...read('devflow.log')];
  assert.deepEqual(kept, Array.from({ length: kept.length }, (_, k) => 100 - kept.length + k), 'the newest lines, in order, whole');
  assert.equal(kept.at(-1), 99);
});

test('rotates at the first write of a new day, not for an empty file', (t) => {
  const dir = tempHome(t);
  const file = join(dir, 'devflow.log');
  let now = new Date(2026, 0, 10, 23, 59).getTime();
  const out = new RotatingFile(file, { maxBytes: null, keep: 2, daily: true, now: () => now });
  out.write(line(1));
  now += 2 * 60_000; // past midnight
  out.write(line(2));
  assert.deepEqual(readdirSync(dir).sort(), ['devflow.log', 'devflow.log.1']);
  assert.match(readFileSync(`${file}.1`, 'utf8'), /"i":1/);
  assert.match(readFileSync(file, 'utf8'), /"i":2/);
  now += 86_400_000;
  out.write(line(3));
  now += 86_400_000;
  out.write(line(4));
  out.close();
  assert.deepEqual(readdirSync(dir).sort(), ['devflow.log', 'devflow.log.1', 'devflow.log.2'], 'keep 2');
  assert.match(readFileSync(`${file}.2`, 'utf8'), /"i":2/);
  // a file last written yesterday rotates at the first write today
  writeFileSync(file, line(5));
  const later = new RotatingFile(file, { maxBytes: null, keep: 2, daily: true, now: () => now + 86_400_000 });
  later.write(line(6));
  later.close();
  assert.match(readFileSync(`${file}.1`, 'utf8'), /"i":5/);
});

test('two processes writing one log file: rotation under a lock, both keep writing to the live file', (t) => {
  const dir = tempHome(t);
  const file = join(dir, 'shared.log');
  const script = join(dir, 'writer.mjs');
  writeFileSync(
    script,
    `import { RotatingFile } from ${JSON.stringify(pathToFileURL(join(DIST, 'ops', 'log-rotate.js')).href)};
const [file, who] = process.argv.slice(2);
const out = new RotatingFile(file, { maxBytes: 4000, keep: 50, daily: false });
for (let i = 0; i < 400; i++) { out.write(JSON.stringify({ who, i }) + '\\n'); if (i % 100 === 0) await new Promise((r) => setTimeout(r, 1100)); }
`,
  );
  const a = spawnSync(process.execPath, ['-e', `
const { spawn } = require('node:child_process');
const ps = ['a', 'b'].map((w) => spawn(process.execPath, [${JSON.stringify(script)}, ${JSON.stringify(file)}, w], { stdio: 'inherit' }));
let left = 2; ps.forEach((p) => p.on('exit', (c) => { if (c) process.exit(c); if (--left === 0) process.exit(0); }));
`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(a.status, 0, a.stderr);
  const files = readdirSync(dir).filter((f) => f.startsWith('shared.log'));
  assert.ok(files.length > 2, `rotated: ${files.join(', ')}`);
  assert.ok(!files.includes('shared.log.lock'), 'no lock left behind');
  const lines = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
  const seen = new Set(lines.map((l) => JSON.stringify(JSON.parse(l))));
  assert.equal(seen.size, 800, 'every line of both writers is in some file, none split');
});

test('a kernel with logging.file and logging.rotate writes rotated files and nothing to stdout', (t) => {
  const home = tempHome(t);
  const script = join(home, 'kernel.mjs');
  writeFileSync(
    script,
    `import { Kernel } from ${JSON.stringify(pathToFileURL(join(DIST, 'index.js')).href)};
const home = process.argv[2];
const kernel = Kernel.open({ config: { plugins: {}, logging: { level: 'debug', file: 'logs/devflow.log', rotate: { maxSizeMb: 0.002, keep: 2 } } }, databasePath: home + '/devflow.db', cwd: home, env: { DEVFLOW_HOME: home }, watchConfig: false });
await kernel.start();
for (let i = 0; i < 200; i++) kernel.logger.info({ i }, 'a line of the kernel log');
await kernel.stop();
`,
  );
  const r = spawnSync(process.execPath, [script, home], { cwd: home, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '', 'logs never go to stdout');
  const logs = join(home, 'logs');
  assert.deepEqual(readdirSync(logs).sort(), ['devflow.log', 'devflow.log.1', 'devflow.log.2']);
  assert.ok(statSync(join(logs, 'devflow.log.1')).size <= 0.002 * 1024 * 1024);
  assert.match(readFileSync(join(logs, 'devflow.log'), 'utf8'), /a line of the kernel log/);
  assert.ok(existsSync(join(home, 'devflow.db')));
});
