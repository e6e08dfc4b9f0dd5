import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

// The official MCP conformance suite (@modelcontextprotocol/conformance, pinned to 0.1.13: later
// versions need Node 22) against a real `devflow mcp --http`. Only the scenarios that test an
// application server; the others need the suite's own fixture tools.
const BIN = fileURLToPath(new URL('../../bin/devflow.js', import.meta.url));
const SCENARIOS = [
  'server-initialize',
  'ping',
  'tools-list',
  'logging-set-level',
  'resources-list',
  'prompts-list',
  'dns-rebinding-protection',
  'server-sse-multiple-streams',
];
const START_DEADLINE_MS = 20_000;
const SCENARIO_DEADLINE_MS = 60_000;

function conformanceBin(): string {
  const require = createRequire(import.meta.url);
  const pkgFile = require.resolve('@modelcontextprotocol/conformance/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string; bin: string | Record<string, string> };
  assert.equal(pkg.version, '0.1.13', 'conformance 0.1.14+ crashes on Node 20; keep the pin');
  const bin = typeof pkg.bin === 'string' ? pkg.bin : (pkg.bin.conformance as string);
  return join(dirname(pkgFile), bin);
}

/**
 * A plugin written into the temp dir so the resource and prompt listings have entries to check
 * (with empty lists those two scenarios pass without proving anything).
 */
const PROBE_PLUGIN = `
export default {
  [Symbol.for('devflow.plugin-definition')]: true,
  id: 'probe', version: '1.0.0', kernel: '^1.0.0',
  description: 'Test fixture: a resource and a prompt.',
  permissions: ['probe:read'],
  start(ctx) {
    ctx.resources.register({ uri: 'devflow://probe/info', name: 'info', description: 'Probe info.', mimeType: 'application/json',
      permission: 'probe:read' }, () => ({ json: { probe: true } }));
    ctx.prompts.register({ name: 'probe_prompt', description: 'A probe prompt.', arguments: [{ name: 'topic', required: true }],
      permission: 'probe:read' }, (args) => 'Tell me about ' + args.topic);
  },
};
`;

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function run(file: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { timeout: SCENARIO_DEADLINE_MS, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      // eslint-disable-next-line no-control-regex
      resolve({ code, out: `${stdout}\n${stderr}`.replace(/\x1b\[[0-9;]*m/g, '') });
    });
  });
}

test('MCP conformance suite (server scenarios) passes against devflow mcp --http', async (t) => {
  const bin = conformanceBin();
  const home = mkdtempSync(join(tmpdir(), 'devflow-mcp-conformance-'));
  const probe = join(home, 'probe-plugin.mjs');
  writeFileSync(probe, PROBE_PLUGIN);
  writeFileSync(join(home, 'devflow.config.json'), JSON.stringify({ plugins: { admin: {}, [probe]: {} } }));

  // --profile all: with the default profile tools/list may be empty, and an empty list proves nothing.
  const child = spawn(process.execPath, [BIN, 'mcp', '--http', '--port', '0', '--profile', 'all'], {
    cwd: home,
    env: { ...process.env, DEVFLOW_HOME: home, DEVFLOW_CONFIG: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  t.after(async () => {
    await stopChild(child);
    rmSync(home, { recursive: true, force: true });
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`devflow mcp --http did not print its URL within ${START_DEADLINE_MS} ms:\n${stderr}`)), START_DEADLINE_MS);
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      const m = /devflow: MCP over Streamable HTTP at (http:\/\/\S+\/mcp)/.exec(stderr);
      if (m) (clearTimeout(timer), resolve(m[1] as string));
    });
    child.once('exit', (code, signal) => (clearTimeout(timer), reject(new Error(`devflow mcp --http exited (${code ?? signal}):\n${stderr}`))));
  });

  // What the listing scenarios will look at: real entries, not empty lists.
  const client = new Client({ name: 'conformance-precheck', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  try {
    const { tools } = await client.listTools();
    assert.ok(tools.some((x) => x.name === 'devflow_status'), 'tools-list has the admin tools to check');
    const { resources } = await client.listResources();
    assert.ok(resources.some((r) => r.uri === 'devflow://probe/info'), `resources: ${JSON.stringify(resources)}`);
    assert.ok(resources.some((r) => r.uri.startsWith('devflow://admin/')), `the admin plugin's resources are checked too: ${JSON.stringify(resources)}`);
    const { prompts } = await client.listPrompts();
    assert.ok(prompts.some((p) => p.name === 'probe_prompt'), `prompts: ${JSON.stringify(prompts)}`);
    assert.ok(prompts.length >= 2, `the admin plugin's prompts are checked too: ${JSON.stringify(prompts)}`);
  } finally {
    await client.close();
  }

  for (const scenario of SCENARIOS) {
    await t.test(scenario, async () => {
      const r = await run(bin, ['server', '--url', url, '--scenario', scenario]);
      assert.equal(r.code, 0, `conformance ${scenario} exited ${r.code}:\n${r.out}`);
      const m = /Passed: (\d+)\/(\d+), (\d+) failed/.exec(r.out);
      assert.ok(m, `no summary line:\n${r.out}`);
      assert.equal(m[3], '0', r.out);
      assert.equal(m[1], m[2], r.out);
      assert.ok(Number(m[2]) >= 1, `no checks ran:\n${r.out}`);
      assert.doesNotMatch(r.out, /\bFAILURE\b/, r.out);
    });
  }
  assert.equal(child.exitCode, null, `the server died during the suite:\n${stderr}`);
});
