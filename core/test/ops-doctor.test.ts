// devflow doctor on a healthy temp home, and with problems planted: a read-only data dir, a Claude
// Desktop config pointing at a missing script, a stale lease of a dead pid, a running kernel whose
// http-api reports a plugin's last error.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../src/storage/database.js';
import { BIN, LEASE_HOLDER, devflow, tempHome, waitFor, writeConfig } from './ops-helpers.js';

interface Finding {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix: string | null;
}

/** A home with a project, a config, a database and a Claude Desktop entry that works. */
function healthyHome(t: { after(fn: () => void): void }, plugins: Record<string, unknown> = { admin: {} }): string {
  const home = tempHome(t);
  const project = join(home, 'project');
  mkdirSync(join(project, 'src', 'lib'), { recursive: true });
  mkdirSync(join(project, 'node_modules', 'skipped'), { recursive: true });
  writeConfig(home, { projects: [project], plugins });
  openDatabase(join(home, 'devflow.db')).close();
  claudeConfig(home, { devflow: { command: process.execPath, args: [BIN, 'mcp'] } });
  return home;
}

function claudeConfig(home: string, servers: unknown): void {
  mkdirSync(join(home, 'xdg', 'Claude'), { recursive: true });
  writeFileSync(join(home, 'xdg', 'Claude', 'claude_desktop_config.json'), JSON.stringify({ mcpServers: servers }, null, 2));
}

async function doctor(home: string, args: string[] = []): Promise<{ code: number | null; findings: Finding[]; text: string }> {
  const json = await devflow(home, ['doctor', '--json', ...args]);
  const text = await devflow(home, ['doctor', ...args]);
  assert.equal(json.code, text.code, 'the same exit code with and without --json');
  const parsed = JSON.parse(json.stdout) as { ok: boolean; findings: Finding[] };
  assert.equal(parsed.ok, json.code === 0);
  for (const f of parsed.findings) {
    assert.ok(['ok', 'warn', 'fail'].includes(f.status), f.check);
    if (f.status !== 'ok') assert.ok(f.fix && f.fix.length > 5, `${f.check} has a concrete fix`);
  }
  return { code: json.code, findings: parsed.findings, text: text.stdout };
}

const find = (fs: Finding[], check: string) => {
  const f = fs.find((x) => x.check === check);
  assert.ok(f, `no ${check} finding in ${JSON.stringify(fs.map((x) => x.check))}`);
  return f;
};

test('doctor on a healthy home: no failure, exit 0, one line per finding', async (t) => {
  const home = healthyHome(t, { admin: {}, 'file-monitor': {} });
  const { code, findings, text } = await doctor(home, ['--full']);
  assert.equal(code, 0, text);
  assert.deepEqual(findings.filter((f) => f.status === 'fail'), []);
  assert.equal(find(findings, 'config').status, 'ok');
  assert.equal(find(findings, 'kernel').status, 'warn'); // nothing running: a warning, with the command to start it
  assert.match(find(findings, 'kernel').fix ?? '', /devflow start/);
  assert.match(find(findings, 'database').detail, /0 events, .*kernel schema 2, integrity_check ok/);
  assert.equal(find(findings, 'data-dir').status, 'ok');
  assert.equal(find(findings, 'claude-desktop').status, 'ok');
  assert.match(find(findings, 'plugins').detail, /2 plugin\(s\) check out: admin, file-monitor/);
  if (process.platform === 'linux') {
    // project, src, src/lib: node_modules is skipped like the watcher skips it
    assert.match(find(findings, 'inotify').detail, /^3 watch\(es\) for 1 project\(s\) \(3 directories\); max_user_watches=\d+/);
  }
  assert.match(text, /^devflow doctor: \d+ ok, \d+ warning\(s\), 0 failure\(s\)$/m);
  assert.match(text, /^ {2}warn {2}kernel +no kernel is running monitors/m);
});

test('doctor finds a read-only data dir, a Claude config pointing at a missing script and a stale lease; exit 1', async (t) => {
  const home = healthyHome(t);
  claudeConfig(home, { other: { command: 'npx', args: ['x'] }, devflow: { command: process.execPath, args: ['/gone/devflow/core/bin/devflow.js', 'mcp'] } });
  const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
  const db = openDatabase(join(home, 'devflow.db'));
  db.prepare("INSERT INTO leases (name, owner, pid, host, acquired_at, expires_at) VALUES ('monitors', 'x', ?, ?, ?, ?)").run(dead, hostname(), Date.now() - 1000, Date.now() + 60_000);
  db.close();
  chmodSync(home, 0o555);

  const { code, findings, text } = await doctor(home);
  assert.equal(code, 1, text);
  const dir = find(findings, 'data-dir');
  assert.equal(dir.status, 'fail');
  assert.match(dir.detail, /is read-only \(mode 555\): events cannot be stored/);
  assert.equal(dir.fix, `chmod 700 ${home}`);
  const claude = find(findings, 'claude-desktop');
  assert.equal(claude.status, 'fail');
  assert.match(claude.detail, /mcpServers\.devflow in .*claude_desktop_config\.json points at \/gone\/devflow\/core\/bin\/devflow\.js, which does not exist/);
  assert.ok(claude.fix?.includes(BIN), 'the fix names the script that exists');
  const kernel = find(findings, 'kernel');
  assert.equal(kernel.status, 'warn');
  assert.match(kernel.detail, new RegExp(`stale monitor lease: pid ${dead} on .* no longer exists`));
  assert.match(text, /^ {2}FAIL {2}data-dir/m);
  assert.match(text, /^ +fix: chmod 700 /m);
});

test('doctor: a missing command, invalid JSON and no devflow entry in the Claude config', async (t) => {
  const home = healthyHome(t);
  claudeConfig(home, { devflow: { command: '/no/such/node', args: [BIN, 'mcp'] } });
  assert.match(find((await doctor(home)).findings, 'claude-desktop').detail, /runs \/no\/such\/node, which does not exist/);
  claudeConfig(home, { something: { command: process.execPath, args: ['x.js'] } });
  const none = find((await doctor(home)).findings, 'claude-desktop');
  assert.equal(none.status, 'warn');
  assert.match(none.detail, /has no devflow entry/);
  writeFileSync(join(home, 'xdg', 'Claude', 'claude_desktop_config.json'), '{ "mcpServers": { ');
  const bad = find((await doctor(home)).findings, 'claude-desktop');
  assert.equal(bad.status, 'fail');
  assert.match(bad.detail, /claude_desktop_config\.json:1:\d+ /);
});

test('doctor: a broken config fails the config check and still checks the rest', async (t) => {
  const home = healthyHome(t);
  writeFileSync(join(home, 'config.json'), '{ "projects": [], "plugin": {} }');
  const { code, findings } = await doctor(home);
  assert.equal(code, 1);
  assert.equal(find(findings, 'config').status, 'fail');
  assert.match(find(findings, 'config').detail, /KRN_ERR_CONFIG_INVALID: .*unknown key "plugin"/);
  assert.equal(find(findings, 'database').status, 'ok');
});

test('doctor sees a running kernel, its http-api port and the running kernel\'s plugin errors', async (t) => {
  const home = healthyHome(t);
  // the running kernel: a lease holder on the same database
  const holder = spawn(process.execPath, [LEASE_HOLDER, join(home, 'devflow.db'), home, 'doctor', '3000'], { stdio: ['pipe', 'pipe', 'ignore'] });
  t.after(() => void (holder.exitCode === null && holder.kill('SIGKILL')));
  let out = '';
  holder.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  await waitFor(() => /"held":true/.test(out), 20_000, () => `no lease: ${out}`);
  // its http-api: a stand-in answering /health and /status like the plugin does
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/health') return res.end('{"ok":true}');
    if (req.url === '/status') return res.end(JSON.stringify({ plugins: [{ id: 'admin', state: 'started', reason: null, lastError: 'KRN_ERR_TOOL_FAILED: boom' }] }));
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  const api = join(home, 'http-api');
  mkdirSync(api);
  writeFileSync(join(api, 'package.json'), '{ "type": "module", "main": "index.js" }');
  writeFileSync(join(api, 'index.js'), "export default { id: 'http-api', version: '1.0.0', kernel: '^1.0.0', config: { type: 'object', properties: { port: { type: 'integer' } } }, start() {} };\n");
  writeConfig(home, { projects: [join(home, 'project')], plugins: { admin: {}, [api]: { config: { port } } } });

  const { findings, text } = await doctor(home);
  const kernel = find(findings, 'kernel');
  assert.equal(kernel.status, 'ok', text);
  assert.match(kernel.detail, new RegExp(`running: pid ${holder.pid} on ${hostname()}`));
  const http = find(findings, 'http-api');
  assert.equal(http.status, 'ok', text);
  assert.match(http.detail, new RegExp(`http://127\\.0\\.0\\.1:${port}/health answers`));
  const admin = find(findings, 'plugin:admin');
  assert.equal(admin.status, 'warn');
  assert.match(admin.detail, /running kernel: started; last error: KRN_ERR_TOOL_FAILED: boom/);

  server.close();
  const down = find((await doctor(home)).findings, 'http-api');
  assert.equal(down.status, 'warn');
  assert.match(down.detail, /does not answer .* although a kernel is running/);
  holder.stdin.end('stop\n');
});
