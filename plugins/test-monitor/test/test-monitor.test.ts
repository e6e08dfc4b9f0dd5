// The plugin through the real kernel: runs recorded as events, report files watched in the lease
// holder and deduplicated through the database, the tests_recent_runs tool with its filters and RBAC.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kernel } from '@devflow/core';
import { createTestKernel } from '@devflow/core/testing';
import type { StoredEvent } from '@devflow/plugin-sdk';
import testMonitor from '../src/index.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const node = process.execPath;

class Sink extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(chunk);
    cb();
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** A project directory that is a git repository on branch feature/login. */
function project(t: { after(fn: () => void): void }): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'tm-project-')));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const git = spawnSync('git', ['init', '-q', '-b', 'feature/login', dir], { encoding: 'utf8' });
  assert.equal(git.status, 0, git.stderr);
  return dir;
}

/** The environment for a nested `node --test` (NODE_TEST_CONTEXT would make it skip its files). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0' };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return env;
}

async function kernel(t: { after(fn: () => unknown): void }, dir: string, config: Record<string, unknown> = {}) {
  return createTestKernel({ plugins: [testMonitor], config: { projects: [dir], plugins: { 'test-monitor': { config: { rescanSeconds: 0, ...config } } } }, t });
}

const io = () => ({ stdout: new Sink(), stderr: new Sink(), stdin: 'ignore' as const });
const ofType = (events: StoredEvent[], type: string) => events.filter((e) => e.type === type);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a node --test run is recorded: kind, runner, counts, failing tests, project, branch; output passes through', async (t) => {
  const dir = project(t);
  const tk = await kernel(t, dir, { watchReports: false });
  const api = tk.use(testMonitor);
  const o = io();
  const outcome = await api.run([node, '--test', '--test-reporter=spec', `${FIXTURES}node/suite-a.mjs`, `${FIXTURES}node/suite-b.mjs`], { cwd: join(dir), stdio: o, env: cleanEnv() });
  assert.equal(outcome.exitCode, 1);
  assert.match(o.stdout.text, /✖ failing tests:/, 'the spec output reached our stdout');
  const [run] = ofType(tk.events, 'test-monitor.run.finished');
  assert.ok(run, 'run.finished committed before run() resolved');
  assert.equal(run.project, dir);
  assert.equal(run.severity, 'warn');
  const d = run.data as Record<string, unknown>;
  assert.equal(d.kind, 'test');
  assert.equal(d.runner, 'node:test');
  assert.deepEqual([d.passed, d.failed, d.skipped], [4, 4, 2]);
  assert.deepEqual(d.failingTests, ['fails hard', 'math suite > inner fail', 'parent > child bad']);
  assert.equal(d.exitCode, 1);
  assert.equal(d.ok, false);
  assert.equal(d.branch, 'feature/login');
  assert.equal(d.cwd, dir);
  assert.equal(d.project, dir);
  assert.equal(d.error, null);
  assert.match(String(d.command), /--test --test-reporter=spec .*suite-a\.mjs/);
  assert.equal(outcome.event.runId, d.runId);
  assert.equal(ofType(tk.events, 'test-monitor.build.finished').length, 0);
});

test('builds and deploys get their own events; secrets in the command are redacted; a missing command is still recorded', async (t) => {
  const dir = project(t);
  const build = join(dir, 'build.cjs');
  writeFileSync(build, "process.stdout.write('built\\n');");
  const ship = join(dir, 'ship.cjs');
  writeFileSync(ship, "process.stderr.write('deploy failed\\n'); process.exit(4);");
  const tk = await kernel(t, dir, { watchReports: false, buildPatterns: ['build.cjs'], deployPatterns: ['ship.cjs'] });
  const api = tk.use(testMonitor);

  const b = await api.run([node, build], { cwd: dir, stdio: io() });
  assert.equal(b.kind, 'build');
  const d = await api.run([node, ship, '--token', 'hunter2'], { cwd: dir, stdio: io() });
  assert.deepEqual([d.kind, d.exitCode], ['deploy', 4]);
  const forced = await api.run([node, '-e', ''], { cwd: dir, stdio: io(), kind: 'deploy' });
  assert.equal(forced.kind, 'deploy');
  const missing = io();
  const m = await api.run(['no-such-tool-devflow-test', 'x'], { cwd: dir, stdio: missing });
  assert.equal(m.exitCode, 127);
  assert.equal(missing.stderr.text, 'devflow: command not found: no-such-tool-devflow-test\n');

  const builds = ofType(tk.events, 'test-monitor.build.finished');
  assert.equal(builds.length, 1);
  assert.deepEqual(builds[0]?.data.ok, true);
  assert.equal(builds[0]?.data.runId, b.event.runId);
  const deploys = ofType(tk.events, 'test-monitor.deploy.finished');
  assert.equal(deploys.length, 2);
  assert.deepEqual(
    deploys.map((e) => [e.data.exitCode, e.data.ok]),
    [
      [4, false],
      [0, true],
    ],
  );
  assert.match(String(deploys[0]?.data.command), /ship\.cjs --token \*\*\*$/);
  assert.ok(!JSON.stringify(tk.events).includes('hunter2'), 'the secret is nowhere in the log');
  const runs = ofType(tk.events, 'test-monitor.run.finished').map((e) => e.data);
  assert.deepEqual(
    runs.map((r) => [r.kind, r.exitCode]),
    [
      ['build', 0],
      ['deploy', 4],
      ['deploy', 0],
      ['other', 127],
    ],
  );
  assert.equal(runs[3]?.error, 'command not found: no-such-tool-devflow-test');
});

test('a JUnit report written during the run gives the counts and is recorded once, though the watcher sees it too', async (t) => {
  const dir = project(t);
  const tk = await kernel(t, dir);
  const api = tk.use(testMonitor);
  const out = join(dir, 'test-results', 'junit.xml');
  mkdirSync(join(dir, 'test-results'));
  const o = io();
  // junit goes to the file, nothing to the terminal: the counts must come from the report
  const r = await api.run([node, '--test', '--test-reporter=junit', `--test-reporter-destination=${out}`, `${FIXTURES}node/suite-b.mjs`], { cwd: dir, stdio: o, env: cleanEnv() });
  assert.equal(r.exitCode, 1);
  const d = r.event;
  assert.equal(d.kind, 'test');
  assert.equal(d.runner, 'junit');
  assert.deepEqual([d.passed, d.failed, d.skipped], [2, 1, 0]);
  assert.deepEqual(d.failingTests, ['parent > child bad']);
  assert.deepEqual(d.reports, ['test-results/junit.xml']);
  // Let the lease holder's watcher (fs.watch, settle, debounce) look at the same file.
  await sleep(1500);
  const parsed = ofType(tk.events, 'test-monitor.report.parsed');
  assert.equal(parsed.length, 1, JSON.stringify(parsed.map((e) => e.data.file)));
  assert.equal(parsed[0]?.project, dir);
  assert.deepEqual(parsed[0]?.data.counts, { passed: 2, failed: 1, skipped: 0, total: 3 });
  assert.equal(parsed[0]?.data.format, 'junit');
});

test('coverage written by the command is attached to its run', async (t) => {
  const dir = project(t);
  const tk = await kernel(t, dir, { watchReports: false });
  const api = tk.use(testMonitor);
  const script = join(dir, 'cov.cjs');
  writeFileSync(
    script,
    `const fs = require('fs'); fs.mkdirSync('coverage', { recursive: true });
     fs.copyFileSync(${JSON.stringify(`${FIXTURES}reports/coverage-summary.json`)}, 'coverage/coverage-summary.json');
     process.stdout.write('Tests:       3 passed, 3 total\\n');`,
  );
  const r = await api.run([node, script], { cwd: dir, stdio: io() });
  assert.equal(r.event.runner, 'jest');
  assert.deepEqual(r.event.coverage, { lines: 83.3, branches: 50, functions: 100, statements: 85.7 });
  assert.deepEqual(r.event.reports, ['coverage/coverage-summary.json']);
  const parsed = ofType(tk.events, 'test-monitor.report.parsed');
  assert.equal(parsed.length, 1);
  assert.equal(parsed[0]?.data.format, 'istanbul-summary');
});

test('the watcher records reports once per content, warns about garbage by file, and keeps going', async (t) => {
  const dir = project(t);
  mkdirSync(join(dir, 'coverage'));
  copyFileSync(`${FIXTURES}reports/lcov.info`, join(dir, 'coverage', 'lcov.info'));
  const tk = await kernel(t, dir);
  const first = await tk.waitForEvent((e) => e.type === 'test-monitor.report.parsed', 5000);
  assert.equal(first.data.file, 'coverage/lcov.info');
  assert.deepEqual(first.data.coverage, { lines: 75, branches: 50, functions: 66.7, statements: null });

  writeFileSync(join(dir, 'junit.xml'), '<testsuites><testsuite name="s"><testcase name="a"/>');
  await sleep(1500);
  const warning = tk.logs.find((l) => l.plugin === 'test-monitor' && l.level === 40);
  assert.ok(warning, 'a warning was logged');
  assert.equal(warning.file, join(dir, 'junit.xml'));
  assert.match(String(warning.msg), /junit\.xml not recorded: not well-formed XML/);

  copyFileSync(`${FIXTURES}reports/pytest-junit.xml`, join(dir, 'junit.xml'));
  const junit = await tk.waitForEvent((e) => e.type === 'test-monitor.report.parsed' && e.data.file === 'junit.xml', 5000);
  assert.equal(junit.severity, 'warn');
  assert.deepEqual(junit.data.counts, { passed: 2, failed: 3, skipped: 1, total: 6 });

  // Same content written again: nothing new. Other content: recorded again.
  copyFileSync(`${FIXTURES}reports/pytest-junit.xml`, join(dir, 'junit.xml'));
  await sleep(1500);
  assert.equal(ofType(tk.events, 'test-monitor.report.parsed').length, 2);
  copyFileSync(`${FIXTURES}reports/surefire-attrs.xml`, join(dir, 'junit.xml'));
  await tk.waitForEvent((e) => e.type === 'test-monitor.report.parsed' && (e.data.counts as { total: number } | null)?.total === 12, 5000);
});

test('tests_recent_runs: newest first, filters, bounded names, cursor paging, permissions', async (t) => {
  const dir = project(t);
  writeFileSync(join(dir, 'build.cjs'), '');
  const many = Array.from({ length: 30 }, (_, i) => `  ● suite › case ${i}`).join('\\n');
  writeFileSync(join(dir, 'fail.cjs'), `process.stderr.write('${many}\\nTests:       30 failed, 2 passed, 32 total\\n'); process.exit(1);`);
  writeFileSync(join(dir, 'pass.cjs'), `process.stdout.write('Tests:       5 passed, 5 total\\n');`);
  const tk = await kernel(t, dir, { watchReports: false, buildPatterns: ['build.cjs'] });
  const api = tk.use(testMonitor);
  for (const f of ['pass.cjs', 'build.cjs', 'fail.cjs', 'pass.cjs']) await api.run([node, f], { cwd: dir, stdio: io() });

  const all = await tk.callTool('tests_recent_runs', {});
  assert.ok(all.ok, JSON.stringify(all));
  const v = all.value as { runs: Array<Record<string, unknown>>; next: number | null };
  assert.deepEqual(
    v.runs.map((r) => [r.kind, r.exitCode, r.passed]),
    [
      ['test', 0, 5],
      ['test', 1, 2],
      ['build', 0, null],
      ['test', 0, 5],
    ],
  );
  assert.equal(v.next, null);
  const failing = v.runs[1] as { failingTests: string[]; moreFailingTests: number; branch: string; project: string };
  assert.equal(failing.failingTests.length, 10);
  assert.equal(failing.moreFailingTests, 20);
  assert.equal(failing.branch, 'feature/login');
  assert.equal(failing.project, dir);

  const builds = await tk.callTool('tests_recent_runs', { kind: 'build' });
  assert.deepEqual((builds.ok && (builds.value as typeof v).runs.map((r) => r.kind)) || [], ['build']);
  const failed = await tk.callTool('tests_recent_runs', { failedOnly: true });
  assert.deepEqual((failed.ok && (failed.value as typeof v).runs.map((r) => r.exitCode)) || [], [1]);
  const elsewhere = await tk.callTool('tests_recent_runs', { project: '/nowhere' });
  assert.deepEqual(elsewhere.ok && (elsewhere.value as typeof v).runs, []);
  const future = await tk.callTool('tests_recent_runs', { since: new Date(Date.now() + 60_000).toISOString() });
  assert.deepEqual(future.ok && (future.value as typeof v).runs, []);
  const badSince = await tk.callTool('tests_recent_runs', { since: 'last tuesday' });
  assert.ok(!badSince.ok && /since "last tuesday"/.test(badSince.error.message));

  const p1 = await tk.callTool('tests_recent_runs', { limit: 3 });
  const page1 = p1.ok ? (p1.value as typeof v) : assert.fail('page 1');
  assert.equal(page1.runs.length, 3);
  assert.notEqual(page1.next, null);
  const p2 = await tk.callTool('tests_recent_runs', { limit: 3, cursor: page1.next });
  const page2 = p2.ok ? (p2.value as typeof v) : assert.fail('page 2');
  assert.deepEqual(page2.runs.map((r) => r.kind), ['test']);
  assert.equal(page2.next, null);

  assert.ok((await tk.as('viewer').callTool('tests_recent_runs', {})).ok, 'viewers may read runs');
  const guest = await tk.as('guest').callTool('tests_recent_runs', {});
  assert.equal(guest.ok ? '' : guest.error.code, 'KRN_ERR_FORBIDDEN');
});

test('a bad config is refused naming the plugin and the key', async () => {
  await assert.rejects(
    createTestKernel({ plugins: [testMonitor], config: { plugins: { 'test-monitor': { config: { maxFailingTests: -1 } } } } }),
    /\[test-monitor\] KRN_ERR_CONFIG_INVALID: .*maxFailingTests must be >= 0/,
  );
});

test('FORCE_COLOR is set for the command only when devflow writes to a terminal and the user did not choose', async (t) => {
  const dir = project(t);
  const tk = await kernel(t, dir, { watchReports: false });
  const api = tk.use(testMonitor);
  const show = [node, '-e', 'process.stdout.write(String(process.env.FORCE_COLOR))'];
  const env = cleanEnv();
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  const tty = io();
  Object.assign(tty.stdout, { isTTY: true });
  await api.run(show, { cwd: dir, stdio: tty, env });
  assert.equal(tty.stdout.text, '1');
  const pipe = io();
  await api.run(show, { cwd: dir, stdio: pipe, env });
  assert.equal(pipe.stdout.text, 'undefined');
  const chosen = io();
  Object.assign(chosen.stdout, { isTTY: true });
  await api.run(show, { cwd: dir, stdio: chosen, env: { ...env, FORCE_COLOR: '0' } });
  assert.equal(chosen.stdout.text, '0');
});

test('two kernels on one database: only the lease holder watches, and no report is recorded twice', async (t) => {
  const dir = project(t);
  const home = realpathSync(mkdtempSync(join(tmpdir(), 'tm-home-')));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const open = () =>
    Kernel.open({
      config: { projects: [dir], plugins: { 'test-monitor': { config: { rescanSeconds: 0 } } }, kernel: { leaseTtlMs: 600, watchConfig: false } },
      plugins: [testMonitor],
      databasePath: join(home, 'devflow.db'),
      logLevel: 'silent',
      cwd: home,
      env: { ...process.env, DEVFLOW_HOME: home },
    });
  const a = open();
  await a.start();
  const b = open();
  await b.start();
  t.after(async () => {
    await a.stop();
    await b.stop();
  });
  const parsed = () => a.events.query({ types: ['test-monitor.report.parsed'] }).events;
  const waitFor = async (n: number) => {
    const deadline = Date.now() + 8000;
    while (parsed().length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} report events, have ${parsed().length}`);
      await sleep(50);
    }
  };

  copyFileSync(`${FIXTURES}reports/pytest-junit.xml`, join(dir, 'junit.xml'));
  await waitFor(1);
  await sleep(1000);
  assert.equal(parsed().length, 1, 'one watcher, one event');

  await a.stop(); // b takes the lease over and scans: same content, already recorded
  const deadline = Date.now() + 8000;
  while (!b.status().lease.held) {
    if (Date.now() > deadline) throw new Error('b never took the lease');
    await sleep(50);
  }
  await sleep(1200);
  const count = () => b.events.query({ types: ['test-monitor.report.parsed'] }).events.length;
  assert.equal(count(), 1);
  copyFileSync(`${FIXTURES}reports/surefire-attrs.xml`, join(dir, 'junit.xml'));
  const until = Date.now() + 8000;
  while (count() < 2) {
    if (Date.now() > until) throw new Error('the new content was not recorded by the new holder');
    await sleep(50);
  }
});
