import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The MCP Inspector's CLI (@modelcontextprotocol/inspector, pinned to 0.21.2 for Node 20) as a
// real stdio client of `devflow mcp`. It exits 0 even when a tool answers isError: read its JSON.
const BIN = fileURLToPath(new URL('../../bin/devflow.js', import.meta.url));
const DEADLINE_MS = 60_000;

function inspectorBin(): string {
  const require = createRequire(import.meta.url);
  const pkgFile = require.resolve('@modelcontextprotocol/inspector/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string; bin: Record<string, string> };
  assert.equal(pkg.version, '0.21.2', 'keep the pin that works on Node 20');
  return join(dirname(pkgFile), pkg.bin['mcp-inspector'] as string);
}

function home(t: { after(fn: () => void): void }): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'devflow-mcp-inspector-')));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `mcp-inspector --cli -e DEVFLOW_HOME=<dir> node devflow.js mcp <args>`; stdout parsed as JSON. */
function inspect(dir: string, args: string[]): Promise<{ code: number | null; json: Record<string, unknown>; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [inspectorBin(), '--cli', '-e', `DEVFLOW_HOME=${dir}`, process.execPath, BIN, 'mcp', ...args],
      { cwd: dir, timeout: DEADLINE_MS, env: { ...process.env, DEVFLOW_HOME: dir, DEVFLOW_CONFIG: '' } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        let json: Record<string, unknown>;
        try {
          json = JSON.parse(stdout) as Record<string, unknown>;
        } catch {
          return reject(new Error(`the inspector did not print JSON (exit ${code}):\nstdout: ${stdout}\nstderr: ${stderr}`));
        }
        resolve({ code, json, stderr });
      },
    );
  });
}

type ToolList = { tools: { name: string; description: string; inputSchema: { type: string } }[] };
type CallResult = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: Record<string, unknown> };

test('Inspector CLI lists the tools over stdio', async (t) => {
  const dir = home(t);
  const all = await inspect(dir, ['--profile', 'all', '--method', 'tools/list']);
  assert.equal(all.code, 0, all.stderr);
  const { tools } = all.json as ToolList;
  const names = tools.map((x) => x.name);
  assert.ok(names.includes('devflow_status'), names.join(', '));
  assert.ok(names.includes('devflow_events_query'), names.join(', '));
  for (const tool of tools) {
    assert.ok(tool.description.length > 0, tool.name);
    assert.equal(tool.inputSchema.type, 'object', tool.name);
  }

  // What a client sees without asking: the default profile, the everyday tools, a subset of all.
  const dflt = await inspect(dir, ['--method', 'tools/list']);
  assert.equal(dflt.code, 0, dflt.stderr);
  const defaults = (dflt.json as ToolList).tools.map((x) => x.name);
  assert.ok(defaults.includes('devflow_status'), defaults.join(', '));
  for (const name of defaults) assert.ok(names.includes(name), `${name} is in the default profile but not in all`);
});

test('Inspector CLI calls devflow_status, and sees isError results as JSON', async (t) => {
  const dir = home(t);
  const r = await inspect(dir, ['--method', 'tools/call', '--tool-name', 'devflow_status']);
  assert.equal(r.code, 0, r.stderr);
  const result = r.json as CallResult;
  assert.notEqual(result.isError, true, JSON.stringify(result));
  const s = result.structuredContent as { version: string; database: { path: string }; plugins: { id: string; state: string }[] };
  assert.equal(typeof s.version, 'string');
  assert.equal(s.plugins.find((p) => p.id === 'admin')?.state, 'started');
  assert.equal(dirname(s.database.path), dir, 'the server used the temp DEVFLOW_HOME');
  assert.match(result.content[0]?.text ?? '', new RegExp(`^DevFlow ${s.version.replace(/\./g, '\\.')}, up [^\n]*\n[^]*running: [^\n]*admin`), 'the text is the status rendered for the model');

  const bad = await inspect(dir, ['--method', 'tools/call', '--tool-name', 'devflow_events_query', '--tool-arg', 'limit=0']);
  assert.equal(bad.code, 0, 'the inspector exits 0 on isError');
  const badResult = bad.json as CallResult;
  assert.equal(badResult.isError, true, JSON.stringify(badResult));
  assert.match(badResult.content[0]?.text ?? '', /^KRN_ERR_TOOL_INPUT: .*limit/);
});
