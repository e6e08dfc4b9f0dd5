import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// Compiled tests run from core/dist/test; the CLI and fixtures live in the source tree.
const BIN = fileURLToPath(new URL('../../bin/devflow.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/cli/', import.meta.url));

function home(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'devflow-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function devflow(dir: string, args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, DEVFLOW_HOME: dir, DEVFLOW_CONFIG: '' }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function writeConfig(dir: string, config: unknown | string): string {
  const file = join(dir, 'devflow.config.json');
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return file;
}

const fixture = (name: string) => join(FIXTURES, name);

test('--help works on every command and unknown commands exit 2', (t) => {
  const dir = home(t);
  for (const args of [['--help'], ['start', '--help'], ['plugins', '--help'], ['plugins', 'list', '--help'], ['config', 'validate', '--help'], ['status', '--help']]) {
    const r = devflow(dir, args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /Usage: devflow/);
  }
  assert.match(devflow(dir, ['--help']).stdout, /78 {2}the config file is missing, malformed or invalid/);
  const bad = devflow(dir, ['frobnicate']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command 'frobnicate'/);
});

test('config validate reports every problem at once, one line each, naming the plugin', (t) => {
  const dir = home(t);
  writeConfig(dir, {
    projects: [dir],
    plugins: {
      [fixture('cyc-a.mjs')]: { enabled: true },
      [fixture('cyc-b.mjs')]: { enabled: true },
      [fixture('bad-cfg.mjs')]: { config: { windowDays: 0 } },
      [fixture('not-a-plugin.mjs')]: {},
      'no-such-plugin-anywhere': {},
      admin: {},
    },
  });
  const r = devflow(dir, ['config', 'validate']);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.split('\n');
  assert.ok(lines.some((l) => /^ {2}\[cyc-a\] KRN_ERR_DEPENDENCY_CYCLE: cyc-a -> cyc-b -> cyc-a$/.test(l)), r.stderr);
  assert.ok(lines.some((l) => /^ {2}\[cyc-b\] KRN_ERR_DEPENDENCY_CYCLE: cyc-a -> cyc-b -> cyc-a$/.test(l)), r.stderr);
  assert.ok(lines.some((l) => /^ {2}\[bad-cfg\] KRN_ERR_CONFIG_INVALID: devflow\.config\.json:\d+:\d+ plugins\["[^"]*bad-cfg\.mjs"\]\.config\.windowDays must be >= 1$/.test(l)), r.stderr);
  assert.ok(lines.some((l) => /KRN_ERR_PLUGIN_INVALID: .*not-a-plugin\.mjs" exports an object with keys hello, not a plugin definition/.test(l)), r.stderr);
  assert.ok(lines.some((l) => /^ {2}\[no-such-plugin-anywhere\] KRN_ERR_PLUGIN_NOT_FOUND: /.test(l)), r.stderr);
  assert.ok(!/\[admin\]/.test(r.stderr), 'the healthy plugin has no problem line');

  const json = devflow(dir, ['config', 'validate', '--json']);
  assert.equal(json.code, 1);
  const parsed = JSON.parse(json.stdout) as { ok: boolean; problems: { plugin: string; code: string }[] };
  assert.equal(parsed.ok, false);
  assert.equal(parsed.problems.length, 5);
});

test('malformed config JSON exits 78 with file, line and column', (t) => {
  const dir = home(t);
  writeConfig(dir, '{\n  "projects": [],\n  "plugins": { "admin": { "enabled": true }\n');
  const r = devflow(dir, ['config', 'validate']);
  assert.equal(r.code, 78);
  assert.match(r.stderr, /KRN_ERR_CONFIG_SYNTAX: devflow\.config\.json:4:1 /);
  const unknown = writeConfig(dir, { projects: [], plugin: {} });
  const r2 = devflow(dir, ['config', 'validate', '--config', unknown]);
  assert.equal(r2.code, 78);
  assert.match(r2.stderr, /KRN_ERR_CONFIG_INVALID: devflow\.config\.json:3:3 plugin unknown key "plugin"/);
});

test('plugins list shows states; enable/disable edit the file keeping comments', (t) => {
  const dir = home(t);
  const file = writeConfig(dir, `{
  // my plugins
  "projects": [],
  "plugins": {
    "admin": { "enabled": true },
    "${fixture('throws.mjs')}": true
  }
}
`);
  const list = devflow(dir, ['plugins', 'list', '--json']);
  assert.equal(list.code, 0, list.stderr);
  const plugins = JSON.parse(list.stdout) as { id: string; state: string }[];
  assert.deepEqual(plugins.map((p) => [p.id, p.state]).sort(), [['admin', 'resolved'], ['throws', 'resolved']]);
  assert.match(devflow(dir, ['plugins', 'list']).stdout, /^ID\s+VERSION\s+STATE\s+REASON\nadmin\s+1\.0\.0\s+resolved/m);

  const off = devflow(dir, ['plugins', 'disable', 'admin']);
  assert.equal(off.code, 0, off.stderr);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /\/\/ my plugins/);
  assert.match(text, /"admin": \{ "enabled": false \}/);
  assert.ok(existsSync(`${file}.bak`));
  const after = JSON.parse(devflow(dir, ['plugins', 'list', '--json']).stdout) as { id: string; state: string }[];
  assert.equal(after.find((p) => p.id === 'admin')?.state, 'disabled');

  assert.equal(devflow(dir, ['plugins', 'enable', 'admin']).code, 0);
  assert.match(readFileSync(file, 'utf8'), /"admin": \{ "enabled": true \}/);
  const missing = devflow(dir, ['plugins', 'enable', 'no-such-plugin-anywhere']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot enable "no-such-plugin-anywhere": .*KRN_ERR_PLUGIN_NOT_FOUND/);
  assert.equal(devflow(dir, ['plugins', 'disable', 'nope']).code, 2);
});

test('status --json describes config, database and plugins', (t) => {
  const dir = home(t);
  writeConfig(dir, { projects: ['.'], plugins: { admin: true } });
  const r = devflow(dir, ['status', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as { version: string; projects: string[]; database: { path: string }; plugins: { id: string }[]; monitors: { running: boolean } };
  assert.equal(s.version, '1.0.0');
  assert.deepEqual(s.projects, [dir]);
  assert.equal(s.database.path, join(dir, 'devflow.db'));
  assert.equal(s.monitors.running, false);
  assert.deepEqual(s.plugins.map((p) => p.id), ['admin']);
});

/**
 * Run `devflow start` and walk through steps: each waits for its pattern on stderr, then acts.
 * After the last step the process gets SIGTERM. Resolves with the exit code and output.
 */
function runStart(dir: string, args: string[], steps: { until: RegExp; then?: () => void }[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start', ...args], { cwd: dir, env: { ...process.env, DEVFLOW_HOME: dir, DEVFLOW_CONFIG: '' } });
    let stdout = '';
    let stderr = '';
    let step = 0;
    let seenUpTo = 0;
    const deadline = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`devflow start did not reach step ${step}:\n${stderr}`))), 20_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      while (step < steps.length) {
        const s = steps[step] as { until: RegExp; then?: () => void };
        const rest = stderr.slice(seenUpTo);
        const m = s.until.exec(rest);
        if (!m) break;
        seenUpTo += m.index + m[0].length;
        step++;
        s.then?.();
        if (step === steps.length) child.kill('SIGTERM');
      }
    });
    child.on('exit', (code) => (clearTimeout(deadline), resolve({ code, stdout, stderr })));
  });
}

test('devflow start runs on the config, keeps stdout clean and stops on SIGTERM', async (t) => {
  const dir = home(t);
  writeConfig(dir, { projects: [], plugins: { admin: true, [fixture('ticker.mjs')]: true, [fixture('throws.mjs')]: true } });
  const r = await runStart(dir, [], [{ until: /Press Ctrl-C to stop/ }]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '', 'stdout belongs to MCP: nothing may be written there');
  assert.match(r.stderr, /devflow: 2 plugins started, 1 not started/);
  assert.match(r.stderr, / {2}\[throws\] KRN_ERR_START_FAILED: start threw: boom at start/);
  assert.match(r.stderr, /"phase":"start","ms":\d+/);
  assert.match(r.stderr, /devflow: stopping/);

  const failFast = await runStart(dir, ['--fail-fast'], []);
  assert.equal(failFast.code, 1);
  assert.match(failFast.stderr, /stopping because of --fail-fast/);
});

test('devflow start exits 1 when nothing can run', async (t) => {
  const dir = home(t);
  writeConfig(dir, { plugins: { [fixture('throws.mjs')]: true } });
  const r = await runStart(dir, [], []);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /nothing can run/);
});

test('a running kernel applies a config edit without a restart', async (t) => {
  const dir = home(t);
  const ticker = fixture('ticker.mjs');
  writeConfig(dir, { plugins: { admin: true, [ticker]: true } });
  const edit = (enabled: boolean) => () => {
    const r = devflow(dir, ['plugins', enabled ? 'enable' : 'disable', ticker]);
    assert.equal(r.code, 0, r.stderr);
  };
  const r = await runStart(dir, [], [
    { until: /Press Ctrl-C to stop/, then: edit(false) },
    { until: /"stopped":\["ticker"\]/, then: edit(true) },
    { until: /"started":\["ticker"\]/ },
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /"plugin":"ticker","phase":"stop"/);
});

test('devflow init creates the user config for the git repository and prints a ready Claude Desktop entry', (t) => {
  const dir = home(t);
  const repo = join(dir, 'repo');
  spawnSync('git', ['init', '-q', repo]);
  const sub = join(repo, 'src');
  spawnSync('mkdir', ['-p', sub]);
  const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: sub, env: { ...process.env, DEVFLOW_HOME: dir, DEVFLOW_CONFIG: '' }, encoding: 'utf8' });
  const r = run(['init']);
  assert.equal(r.status, 0, r.stderr);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { projects: string[]; plugins: Record<string, unknown> };
  assert.deepEqual(config.projects, [repo]);
  assert.ok('admin' in config.plugins);
  const json = r.stdout.slice(r.stdout.indexOf('{'), r.stdout.lastIndexOf('}') + 1);
  const entry = (JSON.parse(json) as { mcpServers: { devflow: { command: string; args: string[]; env: Record<string, string> } } }).mcpServers.devflow;
  assert.equal(entry.command, process.execPath);
  assert.deepEqual(entry.args, [BIN, 'mcp']);
  assert.equal(entry.env.DEVFLOW_HOME, dir);
  assert.match(r.stdout, /claude mcp add devflow -- /);
  // The printed command really starts: the entry is what a client would launch.
  const status = spawnSync(entry.command, [entry.args[0] as string, 'status', '--json'], { cwd: sub, env: { ...process.env, ...entry.env }, encoding: 'utf8' });
  assert.equal(status.status, 0, status.stderr);
  assert.deepEqual((JSON.parse(status.stdout) as { projects: string[] }).projects, [repo]);

  const again = run(['init']);
  assert.equal(again.status, 0);
  assert.match(again.stdout, /already watches/);
});

test('devflow call runs a tool through the kernel, parses key=value arguments and reports bad ones', (t) => {
  const dir = home(t);
  writeConfig(dir, { plugins: { admin: true } });
  const ok = devflow(dir, ['call', 'devflow_events_query', 'limit=3', 'since=24h']);
  assert.equal(ok.code, 0, ok.stderr);
  const value = JSON.parse(ok.stdout) as { events: unknown[]; next: number | null };
  assert.ok(Array.isArray(value.events));
  assert.equal(ok.stderr, '', 'one-shot commands log only warnings');

  const bad = devflow(dir, ['call', 'devflow_events_query', 'limit=many']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /KRN_ERR_TOOL_INPUT: invalid arguments for devflow_events_query: limit must be integer/);
  assert.equal(devflow(dir, ['call', 'devflow_status', 'novalue']).code, 2);
  const denied = devflow(dir, ['call', 'devflow_audit_query']);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /KRN_ERR_FORBIDDEN: .*lacks audit:read/);
  assert.equal(devflow(dir, ['call', 'devflow_audit_query', '--role', 'admin']).code, 0);
});
