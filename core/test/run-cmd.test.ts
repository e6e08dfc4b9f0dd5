// `devflow run` through the real CLI: output and exit code pass through byte for byte, the run is
// recorded by the test-monitor plugin in the database, signals reach the command, and devflow
// explains itself when the plugin is not enabled.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { splitRunArgs } from '../src/cli/run-cmd.js';

const BIN = fileURLToPath(new URL('../../bin/devflow.js', import.meta.url));

function home(t: { after(fn: () => void): void }, plugins: Record<string, unknown> = { 'test-monitor': true }): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'devflow-run-')));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'devflow.config.json'), JSON.stringify({ projects: ['.'], plugins }));
  return dir;
}

function env(dir: string): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, DEVFLOW_HOME: dir, DEVFLOW_CONFIG: '' };
  delete e.NODE_TEST_CONTEXT;
  return e;
}

function devflow(dir: string, args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env: env(dir) });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function runs(dir: string, type = 'test-monitor.run.finished'): Array<Record<string, unknown>> {
  const db = new Database(join(dir, 'devflow.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT data, project FROM events WHERE type = ? ORDER BY seq').all(type) as { data: string; project: string | null }[];
    return rows.map((r) => ({ ...(JSON.parse(r.data) as Record<string, unknown>), eventProject: r.project }));
  } finally {
    db.close();
  }
}

test('splitRunArgs: everything after run (and its own options, and --) is the command', () => {
  assert.deepEqual(splitRunArgs(['run', '--', 'npm', 'test', '--silent']), { command: ['npm', 'test', '--silent'] });
  assert.deepEqual(splitRunArgs(['-c', 'x.json', 'run', '--kind', 'deploy', '--', './ship.sh', '-c', 'y']), { config: 'x.json', kind: 'deploy', command: ['./ship.sh', '-c', 'y'] });
  assert.deepEqual(splitRunArgs(['--config=a.json', 'run', '--kind=build', 'make', '--', 'x']), { config: 'a.json', kind: 'build', command: ['make', '--', 'x'] });
  assert.deepEqual(splitRunArgs(['run', 'python', '-c', 'print(1)', '--kind', 'x']), { command: ['python', '-c', 'print(1)', '--kind', 'x'] });
});

test('stdout, stderr and the exit code pass through byte for byte; the run is in the database', (t) => {
  const dir = home(t);
  const bytes = Buffer.from([0x68, 0x69, 0x0a, 0xff, 0x00, 0xe2, 0x82, 0x0d, 0x0a, 0x41]);
  writeFileSync(
    join(dir, 'tool.cjs'),
    `process.stdout.write(Buffer.from(${JSON.stringify([...bytes])}));
     process.stderr.write('Tests:       1 failed, 2 passed, 3 total\\n  \u25cf suite \u203a breaks\\n');
     process.stdout.write(JSON.stringify(process.argv.slice(2)));
     process.exitCode = 3;`,
  );
  const r = devflow(dir, ['run', '--', process.execPath, 'tool.cjs', '--silent', '-c', 'x', '--api-token=s3cr3t']);
  assert.equal(r.code, 3, r.stderr.toString());
  assert.ok(r.stdout.equals(Buffer.concat([bytes, Buffer.from(JSON.stringify(['--silent', '-c', 'x', '--api-token=s3cr3t']))])), r.stdout.toString());
  assert.equal(r.stderr.toString(), 'Tests:       1 failed, 2 passed, 3 total\n  \u25cf suite \u203a breaks\n', 'nothing of devflow on stderr');
  const [run] = runs(dir);
  assert.ok(run);
  assert.equal(run.exitCode, 3);
  assert.equal(run.kind, 'test');
  assert.equal(run.runner, 'jest');
  assert.deepEqual([run.passed, run.failed], [2, 1]);
  assert.deepEqual(run.failingTests, ['suite \u203a breaks']);
  assert.equal(run.cwd, dir);
  assert.equal(run.eventProject, dir);
  assert.match(String(run.command), /tool\.cjs --silent -c x --api-token=\*\*\*$/);
});

test('without --, options after the command still belong to the command; --kind before it is devflow\'s', (t) => {
  const dir = home(t);
  writeFileSync(join(dir, 'args.cjs'), 'process.stdout.write(JSON.stringify(process.argv.slice(2)));');
  const r = devflow(dir, ['run', '--kind', 'deploy', process.execPath, 'args.cjs', '-c', 'nope.json', '--kind', 'test']);
  assert.equal(r.code, 0, r.stderr.toString());
  assert.equal(r.stdout.toString(), JSON.stringify(['-c', 'nope.json', '--kind', 'test']));
  assert.equal(runs(dir, 'test-monitor.deploy.finished').length, 1);
  assert.equal(runs(dir)[0]?.kind, 'deploy');
  const bad = devflow(dir, ['run', '--kind', 'party', '--', 'true']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr.toString(), /--kind must be one of test, build, deploy, other/);
});

test('a command that does not exist exits 127 with a clear message and is still recorded', (t) => {
  const dir = home(t);
  const r = devflow(dir, ['run', '--', 'devflow-no-such-command', 'arg']);
  assert.equal(r.code, 127);
  assert.equal(r.stderr.toString(), 'devflow: command not found: devflow-no-such-command\n');
  const [run] = runs(dir);
  assert.deepEqual([run?.exitCode, run?.error], [127, 'command not found: devflow-no-such-command']);
});

test('without the test-monitor plugin, devflow run says how to enable it and runs nothing', (t) => {
  const dir = home(t, { admin: true });
  const r = devflow(dir, ['run', '--', process.execPath, '-e', "require('fs').writeFileSync('ran', '')"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr.toString(), /"devflow run" needs the test-monitor plugin, which is not enabled in the config\.\n {2}Enable it with: devflow plugins enable test-monitor/);
  assert.ok(!existsSync(join(dir, 'ran')));
  const help = devflow(dir, ['run', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout.toString(), /--kind <kind>/);
});

function runUntilReady(dir: string, script: string) {
  const child = spawn(process.execPath, [BIN, 'run', '--', process.execPath, script], { cwd: dir, env: env(dir) });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const ready = new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => ((out += c.toString()), out.includes('ready') && resolve())));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const deadline = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return { child, ready, done: done.finally(() => clearTimeout(deadline)), output: () => ({ out, err }) };
}

test('Ctrl-C reaches the command; devflow ends with the command\'s signal after recording it', async (t) => {
  const dir = home(t);
  writeFileSync(join(dir, 'wait.cjs'), "process.stdout.write('ready\\n'); setTimeout(() => {}, 15000);");
  const run = runUntilReady(dir, 'wait.cjs');
  await run.ready;
  run.child.kill('SIGINT'); // only devflow gets it; it forwards
  const end = await run.done;
  assert.equal(end.signal, 'SIGINT', JSON.stringify({ ...end, ...run.output() }));
  const [rec] = runs(dir);
  assert.deepEqual([rec?.signal, rec?.exitCode, rec?.ok], ['SIGINT', 130, false]);
});

test('a command that handles SIGINT decides the exit code', async (t) => {
  const dir = home(t);
  writeFileSync(join(dir, 'trap.cjs'), "process.on('SIGINT', () => process.exit(7)); process.stdout.write('ready\\n'); setTimeout(() => {}, 15000);");
  const run = runUntilReady(dir, 'trap.cjs');
  await run.ready;
  run.child.kill('SIGINT');
  const end = await run.done;
  assert.deepEqual(end, { code: 7, signal: null }, JSON.stringify(run.output()));
  assert.equal(runs(dir)[0]?.exitCode, 7);
});
