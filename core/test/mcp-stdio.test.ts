// `devflow mcp` over stdio, end to end: a real child process driven by the SDK's Client over
// StdioClientTransport (and, where the raw bytes matter, by JSON-RPC lines written by hand).
// Covers initialize and tool profiles, every admin tool with valid and invalid arguments,
// resources and prompts, progress/cancellation/timeouts/failures, tools/list_changed, RBAC denial
// with its audit entry, stdout purity with log forwarding, bad input on the wire, a client that
// disconnects mid-call, and two processes sharing one database and its monitor lease.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpError, ToolListChangedNotificationSchema, type CallToolResult, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { KERNEL_VERSION } from '../src/version.js';

// Compiled tests run from core/dist/test; the CLI and fixtures live in the source tree.
const BIN = fileURLToPath(new URL('../../bin/devflow.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../../test/fixtures/mcp/${name}`, import.meta.url));
const SLOW = fixture('slow.mjs');
const NOISY = fixture('noisy.mjs');
const WATCH = fixture('watcher.mjs');

/** Liveness deadline for anything we wait on (not a performance assertion). */
const DEADLINE = 15_000;
const BIG = 1024 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: () => string, ms = DEADLINE): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) assert.fail(`not within ${ms} ms: ${what()}`);
    await sleep(50);
  }
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };

function exitOf(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

function childEnv(dir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NODE_TEST_CONTEXT') env[k] = v;
  return { ...env, DEVFLOW_HOME: dir, DEVFLOW_CONFIG: '' };
}

/** A `devflow mcp` process with an SDK client connected to it. */
interface Session {
  client: Client;
  child: ChildProcess;
  pid: number;
  exited: Promise<Exit>;
  stderr(): string;
  /** Close stdin (what a client does when it is done) and wait for the process to exit. */
  close(): Promise<Exit>;
}

/** A `devflow mcp` process spoken to in raw JSON-RPC lines; keeps every stdout line as it came. */
interface Raw {
  child: ChildProcess;
  exited: Promise<Exit>;
  /** Every line the process wrote to stdout, unparsed. */
  lines: string[];
  messages: Record<string, any>[];
  stderr(): string;
  send(line: string | object): void;
  request(method: string, params?: object): Promise<Record<string, any>>;
  initialize(): Promise<Record<string, any>>;
}

/**
 * One temp DEVFLOW_HOME (also the cwd, holding devflow.config.json) per test, and every child
 * process started from it; after the test each child is closed or killed before the dir goes.
 */
function harness(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'devflow-mcp-stdio-'));
  const children: ChildProcess[] = [];
  const clients: Client[] = [];
  t.after(async () => {
    await Promise.all(clients.map((c) => Promise.race([c.close().catch(() => {}), sleep(5000)])));
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(children.map(exitOf));
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (value: unknown): string => {
    const file = join(dir, 'devflow.config.json');
    writeFileSync(file, JSON.stringify(value, null, 2));
    return file;
  };

  const connect = async (args: string[] = []): Promise<Session> => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', ...args], env: childEnv(dir), cwd: dir, stderr: 'pipe' });
    let err = '';
    transport.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const client = new Client({ name: 'mcp-stdio-test', version: '1.0.0' });
    clients.push(client);
    try {
      await client.connect(transport);
    } catch (e) {
      assert.fail(`devflow mcp ${args.join(' ')} did not initialize: ${String(e)}\n${err}`);
    }
    // The transport keeps its child private; the tests need its exit code.
    const child = (transport as unknown as { _process: ChildProcess })._process;
    children.push(child);
    const exited = exitOf(child);
    return {
      client,
      child,
      pid: child.pid as number,
      exited,
      stderr: () => err,
      close: async () => {
        child.stdin?.end();
        return exited;
      },
    };
  };

  const raw = (args: string[] = []): Raw => {
    const child = spawn(process.execPath, [BIN, 'mcp', ...args], { cwd: dir, env: childEnv(dir), stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    const exited = exitOf(child);
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdin.on('error', () => {}); // writing to a process that has gone is the test's business
    const lines: string[] = [];
    const messages: Record<string, any>[] = [];
    const waiting = new Map<number, (m: Record<string, any>) => void>();
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      let m: Record<string, any>;
      try {
        m = JSON.parse(line) as Record<string, any>;
      } catch {
        return; // the purity assertions look at `lines`
      }
      messages.push(m);
      if (typeof m.id === 'number' && !('method' in m)) waiting.get(m.id)?.(m);
    });
    let nextId = 1;
    const send = (line: string | object) => void child.stdin.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);
    const request = (method: string, params?: object) => {
      const id = nextId++;
      return new Promise<Record<string, any>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to ${method} (id ${id}) within ${DEADLINE} ms\nstderr:\n${err}`)), DEADLINE);
        waiting.set(id, (m) => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(m);
        });
        send({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });
      });
    };
    const initialize = async () => {
      const r = await request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1.0.0' } });
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      return r;
    };
    return { child, exited, lines, messages, stderr: () => err, send, request, initialize };
  };

  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env: childEnv(dir), encoding: 'utf8', input: '', timeout: DEADLINE });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  return { dir, config, connect, raw, cli };
}

const text = (r: CallToolResult): string => r.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');

async function call(s: Session, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await s.client.callTool({ name, arguments: args })) as CallToolResult;
}

/** A successful call: structuredContent, and the same JSON as text. */
async function ok(s: Session, name: string, args: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const r = await call(s, name, args);
  assert.ok(!r.isError, `${name}(${JSON.stringify(args).slice(0, 200)}) failed: ${text(r)}\n${s.stderr().slice(-3000)}`);
  assert.ok(r.structuredContent, `${name} returned no structuredContent`);
  // The text is the tool's own rendering for the model, or else the structured content as JSON.
  const t = text(r);
  assert.ok(t.trim().length > 0, `${name}: empty text content`);
  if (/^[{[]/.test(t)) assert.deepEqual(JSON.parse(t), r.structuredContent, `${name}: the text is not the structured content`);
  if (name === 'devflow_status') assert.match(t, new RegExp(`^DevFlow ${KERNEL_VERSION.replace(/\./g, '\\.')}, up .*\nrunning: |running: admin`, 's'));
  if (name === 'devflow_events_query') assert.match(t, /^(no events match|\d{4}-\d\d-\d\dT\S+ #\d+ [a-z0-9-]+\.)/);
  return r.structuredContent as Record<string, any>;
}

async function toolNames(s: Session): Promise<string[]> {
  return (await s.client.listTools()).tools.map((t) => t.name).sort();
}

const ADMIN_TOOLS = ['devflow_audit_query', 'devflow_events_query', 'devflow_plugin_set_enabled', 'devflow_plugins_list', 'devflow_status'];
const EVERYDAY = ['devflow_events_query', 'devflow_status'];
const SLOW_TOOLS = ['slow_big', 'slow_echo', 'slow_hang', 'slow_steps', 'slow_throw'];

// ---------------------------------------------------------------------------------------------
// 1. initialize, profiles, every tool, resources, prompts

test('initialize: server name and version, capabilities tools.listChanged, resources, prompts and logging', async (t) => {
  const h = harness(t);
  h.config({ plugins: { admin: true } });
  const s = await h.connect();
  const info = s.client.getServerVersion();
  assert.equal(info?.name, 'devflow');
  assert.equal(info?.version, KERNEL_VERSION);
  const caps = s.client.getServerCapabilities();
  assert.equal(caps?.tools?.listChanged, true);
  assert.ok(caps?.resources, 'resources capability');
  assert.ok(caps?.prompts, 'prompts capability');
  assert.ok(caps?.logging, 'logging capability');
  assert.match(s.client.getInstructions() ?? '', /devflow_status/);
  assert.deepEqual(await s.client.ping(), {});
  assert.deepEqual(await s.close(), { code: 0, signal: null }, s.stderr());
});

test('tool profiles: default is exactly the everyday tools, all is everything the role may call, --tools picks groups, config profiles work', async (t) => {
  const h = harness(t);
  h.config({ plugins: { admin: true, [SLOW]: true }, mcp: { profiles: { ops: ['status', 'slow_throw'] } } });
  const [dflt, dfltAdmin, allDev, allAdmin, adminGroup, mixed, ops] = await Promise.all([
    h.connect(),
    h.connect(['--role', 'admin']),
    h.connect(['--profile', 'all']),
    h.connect(['--profile', 'all', '--role', 'admin']),
    h.connect(['--tools', 'admin', '--role', 'admin']),
    h.connect(['--tools', 'admin, slow_echo', '--role', 'admin']),
    h.connect(['--profile', 'ops']),
  ]);
  assert.deepEqual(await toolNames(dflt), EVERYDAY);
  assert.deepEqual(await toolNames(dfltAdmin), EVERYDAY);
  // A developer does not see the admin-only tools even in the "all" profile.
  assert.deepEqual(await toolNames(allDev), [...EVERYDAY, ...SLOW_TOOLS].sort());
  assert.deepEqual(await toolNames(allAdmin), [...ADMIN_TOOLS, ...SLOW_TOOLS].sort());
  assert.deepEqual(await toolNames(adminGroup), ['devflow_audit_query', 'devflow_plugin_set_enabled', 'devflow_plugins_list']);
  assert.deepEqual(await toolNames(mixed), ['devflow_audit_query', 'devflow_plugin_set_enabled', 'devflow_plugins_list', 'slow_echo']);
  assert.deepEqual(await toolNames(ops), ['devflow_status', 'slow_throw']);
  // Every listed tool carries its schemas.
  for (const tool of (await allAdmin.client.listTools()).tools) {
    assert.equal(tool.inputSchema.type, 'object', tool.name);
    assert.ok(tool.description, tool.name);
  }
  // The profile shapes the list only: a tool outside it can still be called by name.
  assert.deepEqual(await ok(dflt, 'slow_echo', { text: 'outside the profile' }), { echo: 'outside the profile' });

  const unknown = h.cli(['mcp', '--profile', 'nope']);
  assert.equal(unknown.code, 2, unknown.stderr);
  assert.match(unknown.stderr, /unknown tool profile "nope"; use default, all, ops or --tools/);
  assert.equal(unknown.stdout, '', 'nothing on stdout');
  const role = h.cli(['mcp', '--role', 'emperor']);
  assert.equal(role.code, 2, role.stderr);
  assert.match(role.stderr, /unknown role "emperor"; roles: admin, developer, viewer, guest/);
});

test('every admin tool answers valid arguments and rejects invalid ones with an isError result naming the argument', async (t) => {
  const h = harness(t);
  h.config({ plugins: { admin: true, [SLOW]: true }, rbac: { localRole: 'admin' } });
  // The admin plugin's groups: exactly its five tools.
  const s = await h.connect(['--tools', 'status,events,admin']);
  const huge = (c: string) => c.repeat(BIG);
  // For each tool: valid calls (with a check of the answer) and invalid calls (with what the error must name).
  const cases: Record<string, { valid: [Record<string, unknown>, (r: Record<string, any>) => void][]; invalid: [Record<string, unknown>, RegExp][] }> = {
    devflow_status: {
      valid: [
        [{}, (r) => {
          assert.equal(r.version, KERNEL_VERSION);
          assert.equal(r.plugins.find((p: { id: string }) => p.id === 'admin')?.state, 'started');
        }],
      ],
      invalid: [
        [{ verbose: true }, /^- verbose: unknown key "verbose"/m],
        [{ note: huge('x') }, /^- note: unknown key "note"/m],
      ],
    },
    devflow_events_query: {
      valid: [
        [{ types: ['kernel.*'], since: '24h', limit: 5 }, (r) => {
          assert.ok(r.events.length >= 1, 'the admin plugin start is in the log');
          for (const e of r.events) assert.match(e.type, /^kernel\./);
        }],
        [{}, (r) => assert.ok(Array.isArray(r.events) && 'next' in r)],
      ],
      invalid: [
        [{ types: 'kernel.*' }, /^- types: must be array/m],
        [{ types: ['Not A Type'] }, /^- types\[0\]: must match pattern/m],
        [{ types: Array.from({ length: 21 }, () => 'a') }, /^- types: must NOT have more than 20 items/m],
        [{ limit: 'ten' }, /^- limit: must be integer/m],
        [{ limit: 0 }, /^- limit: must be >= 1/m],
        [{ limit: 201 }, /^- limit: must be <= 200/m],
        [{ cursor: -1 }, /^- cursor: must be >= 0/m],
        [{ colour: 'red' }, /^- colour: unknown key "colour"/m],
        [{ since: 'yesterday-ish' }, /since "yesterday-ish" is not an ISO time/],
        [{ since: huge('y') }, /^- since: must NOT have more than 64 characters/m],
        [{ project: huge('p') }, /^- project: must NOT have more than 4096 characters/m],
      ],
    },
    devflow_plugins_list: {
      valid: [[{}, (r) => assert.deepEqual(r.plugins.map((p: { id: string; state: string }) => [p.id, p.state]), [['admin', 'started'], ['mcp-slow', 'started']])]],
      invalid: [
        [{ all: true }, /^- all: unknown key "all"/m],
        [{ filter: huge('z') }, /^- filter: unknown key "filter"/m],
      ],
    },
    devflow_plugin_set_enabled: {
      // (Enabling what is enabled changes nothing; a real toggle is the list_changed test's.)
      valid: [[{ plugin: 'mcp-slow', enabled: true }, (r) => assert.deepEqual(r, { started: [], stopped: [], problems: [] })]],
      invalid: [
        [{ plugin: 5, enabled: true }, /^- plugin: must be string/m],
        [{ plugin: 'mcp-slow' }, /missing required key "enabled"/],
        [{ plugin: 'mcp-slow', enabled: 'no' }, /^- enabled: must be boolean/m],
        [{ plugin: 'not-configured', enabled: false }, /KRN_ERR_PLUGIN_NOT_FOUND: no plugin "not-configured" is configured/],
        [{ plugin: 'mcp-slow', enabled: false, force: true }, /^- force: unknown key "force"/m],
        [{ plugin: huge('X'), enabled: false }, /^- plugin: must NOT have more than 1024 characters/m],
      ],
    },
    devflow_audit_query: {
      valid: [
        [{ action: 'tool:call', limit: 5 }, (r) => {
          assert.ok(r.entries.length >= 1, 'earlier calls are audited');
          for (const e of r.entries) assert.equal(e.action, 'tool:call');
        }],
      ],
      invalid: [
        [{ limit: 0 }, /^- limit: must be >= 1/m],
        [{ limit: 1000 }, /^- limit: must be <= 200/m],
        [{ limit: 2.5 }, /^- limit: must be integer/m],
        [{ outcome: 'maybe' }, /^- outcome: must be one of "ok", "error", "denied", "vetoed"/m],
        [{ cursor: 0 }, /^- cursor: must be >= 1/m],
        [{ action: 42 }, /^- action: must be string/m],
        [{ principal: huge('p') }, /^- principal: must NOT have more than 200 characters/m],
        [{ who: 'me' }, /^- who: unknown key "who"/m],
      ],
    },
  };
  const listed = await toolNames(s);
  assert.deepEqual(Object.keys(cases).sort(), listed, 'every listed tool has a case here (add one for a new tool)');

  // Valid first (the audit query then finds the earlier calls), in a fixed order.
  for (const name of ['devflow_status', 'devflow_events_query', 'devflow_plugins_list', 'devflow_plugin_set_enabled', 'devflow_audit_query']) {
    for (const [args, check] of cases[name]!.valid) check(await ok(s, name, args));
  }
  for (const [name, { invalid }] of Object.entries(cases)) {
    for (const [args, names] of invalid) {
      const label = `${name}(${JSON.stringify(args).slice(0, 80)})`;
      const r = await call(s, name, args);
      assert.equal(r.isError, true, `${label} should fail: ${text(r).slice(0, 300)}`);
      assert.equal(r.structuredContent, undefined, label);
      assert.match(text(r), /^KRN_ERR_(TOOL_INPUT|TOOL_FAILED|PLUGIN_NOT_FOUND): /, label);
      assert.match(text(r), names, `${label}: ${text(r).slice(0, 500)}`);
      // An error that quotes a 1 MB argument is cut, not handed to the assistant whole.
      assert.ok(text(r).length < 8 * 1024, `${label}: error text of ${text(r).length} characters`);
    }
  }
  // Nothing invalid got through: the plugins still run and the config file is untouched.
  assert.deepEqual((await ok(s, 'devflow_plugins_list')).plugins.map((p: { state: string }) => p.state), ['started', 'started']);
  assert.deepEqual(JSON.parse(readFileSync(join(h.dir, 'devflow.config.json'), 'utf8')).plugins, { admin: true, [SLOW]: true });

  // An unknown tool is a protocol error (-32602), not a result.
  const unknown = await s.client.callTool({ name: 'no_such_tool', arguments: {} }).then(
    () => assert.fail('an unknown tool must not answer'),
    (e: unknown) => e,
  );
  assert.ok(unknown instanceof McpError, String(unknown));
  assert.equal(unknown.code, -32602);
  assert.match(unknown.message, /no_such_tool/);
  assert.deepEqual(await s.close(), { code: 0, signal: null }, s.stderr());
});

test('resources and prompts: list, read devflow://admin/status, unknown URI, summarize_my_day with and without a project', async (t) => {
  const h = harness(t);
  h.config({ plugins: { admin: true } });
  const s = await h.connect();

  const { resources } = await s.client.listResources();
  assert.deepEqual(resources.map((r) => [r.uri, r.mimeType]), [['devflow://admin/status', 'application/json']]);
  const read = await s.client.readResource({ uri: 'devflow://admin/status' });
  assert.equal(read.contents.length, 1);
  const content = read.contents[0] as { uri: string; mimeType?: string; text?: string };
  assert.equal(content.uri, 'devflow://admin/status');
  assert.equal(content.mimeType, 'application/json');
  const status = JSON.parse(content.text ?? '') as { version: string; plugins: { id: string; state: string }[] };
  assert.equal(status.version, KERNEL_VERSION);
  assert.deepEqual(status.plugins.map((p) => [p.id, p.state]), [['admin', 'started']]);

  const missing = await s.client.readResource({ uri: 'devflow://admin/nope' }).then(
    () => assert.fail('an unknown resource must not answer'),
    (e: unknown) => e,
  );
  assert.ok(missing instanceof McpError, String(missing));
  assert.equal(missing.code, -32002, 'resource not found');
  assert.match(missing.message, /devflow:\/\/admin\/nope/);

  const { prompts } = await s.client.listPrompts();
  const day = prompts.find((p) => p.name === 'summarize_my_day');
  assert.ok(day, JSON.stringify(prompts));
  assert.deepEqual(day.arguments?.map((a) => [a.name, a.required]), [['project', false]]);
  const plain = await s.client.getPrompt({ name: 'summarize_my_day' });
  assert.equal(plain.messages.length, 1);
  assert.equal(plain.messages[0]?.role, 'user');
  const plainText = (plain.messages[0]?.content as { text: string }).text;
  assert.match(plainText, /devflow_events_query/);
  assert.doesNotMatch(plainText, /project "/);
  const scoped = await s.client.getPrompt({ name: 'summarize_my_day', arguments: { project: '/work/shop' } });
  assert.match((scoped.messages[0]?.content as { text: string }).text, /in \/work\/shop[\s\S]*project "\/work\/shop"/);
  const noPrompt = await s.client.getPrompt({ name: 'no_such_prompt' }).then(
    () => assert.fail('an unknown prompt must not answer'),
    (e: unknown) => e,
  );
  assert.ok(noPrompt instanceof McpError, String(noPrompt));
  assert.equal(noPrompt.code, -32602);
  assert.deepEqual(await s.close(), { code: 0, signal: null }, s.stderr());
});

// ---------------------------------------------------------------------------------------------
// 2. long calls: progress, cancellation, timeouts, failures

test('long tools: progress notifications, client cancellation reaches the handler, timeouts and throws are isError, and the server keeps serving', async (t) => {
  const h = harness(t);
  h.config({ plugins: { admin: true, [SLOW]: true }, rbac: { localRole: 'admin' } });
  const s = await h.connect(['--profile', 'all']);

  // Progress: one notification per step, in order. (The SDK client handles notifications a
  // microtask later than responses, so it may drop the last one when it arrives in the same chunk
  // as the result; the raw-stdio test below checks that all of them precede the result on the wire.)
  const progress: Progress[] = [];
  const done = (await s.client.callTool({ name: 'slow_steps', arguments: { steps: 5, stepMs: 50 } }, undefined, { onprogress: (p) => progress.push(p) })) as CallToolResult;
  assert.ok(!done.isError, text(done));
  assert.deepEqual(done.structuredContent, { completed: 5 });
  assert.ok(progress.length >= 1, `progress notifications: ${JSON.stringify(progress)}`);
  assert.deepEqual(progress.map((p) => [p.progress, p.total, p.message]), [1, 2, 3, 4, 5].slice(0, progress.length).map((i) => [i, 5, `step ${i} of 5`]));

  // Cancellation: abort once the call is under way; the handler sees it (marker file and event).
  const marker = join(h.dir, 'cancelled.json');
  const ac = new AbortController();
  let seen = 0;
  const cancelled = await s.client
    .callTool({ name: 'slow_steps', arguments: { steps: 100_000, stepMs: 20, marker } }, undefined, {
      signal: ac.signal,
      onprogress: () => {
        if (++seen === 3) ac.abort(new Error('the test cancels'));
      },
    })
    .then(
      (r) => assert.fail(`a cancelled call must not resolve: ${JSON.stringify(r)}`),
      (e: unknown) => e,
    );
  assert.match(String(cancelled), /the test cancels/);
  const aborted = await until(() => existsSync(marker) && (JSON.parse(readFileSync(marker, 'utf8')) as { tool: string; completed: number }), () => `the handler never saw the cancellation\n${s.stderr()}`);
  assert.equal(aborted.tool, 'slow_steps');
  assert.ok(aborted.completed >= 3 && aborted.completed < 100_000, JSON.stringify(aborted));
  const events = await until(async () => {
    const r = await ok(s, 'devflow_events_query', { types: ['mcp-slow.call.aborted'] });
    return r.events.length ? r.events : undefined;
  }, () => 'no mcp-slow.call.aborted event');
  assert.equal(events[0].data.tool, 'slow_steps');
  assert.deepEqual(await ok(s, 'slow_echo', { text: 'after cancel' }), { echo: 'after cancel' });

  // A tool that never answers: KRN_ERR_TOOL_TIMEOUT, and its handler's signal is aborted.
  const hangMarker = join(h.dir, 'hang.json');
  const hung = await call(s, 'slow_hang', { marker: hangMarker });
  assert.equal(hung.isError, true);
  assert.match(text(hung), /^KRN_ERR_TOOL_TIMEOUT: slow_hang did not answer within 300 ms/);
  const hangAbort = await until(() => existsSync(hangMarker) && (JSON.parse(readFileSync(hangMarker, 'utf8')) as { reason: string }), () => 'the hung handler was not aborted');
  assert.equal(hangAbort.reason, 'KRN_ERR_TOOL_TIMEOUT');
  assert.deepEqual(await ok(s, 'slow_echo', { text: 'after timeout' }), { echo: 'after timeout' });

  // A tool that throws.
  const threw = await call(s, 'slow_throw');
  assert.equal(threw.isError, true);
  assert.equal(text(threw), 'KRN_ERR_TOOL_FAILED: slow_throw failed: deliberate failure from slow_throw');

  // A result larger than a pipe buffer arrives whole.
  const big = await ok(s, 'slow_big', { kb: 200 });
  assert.equal(big.data.length, 200 * 1024);
  assert.equal(big.data, '0123456789abcdef'.repeat(200 * 64));

  // Several calls in flight at once all answer.
  const many = await Promise.all(Array.from({ length: 20 }, (_, i) => ok(s, 'slow_echo', { text: `n${i}` })));
  assert.deepEqual(many.map((r) => r.echo), Array.from({ length: 20 }, (_, i) => `n${i}`));

  // The failures are audited with their codes.
  const audit = await ok(s, 'devflow_audit_query', { outcome: 'error', limit: 50 });
  const codes = audit.entries.map((e: { target: string; detail: { code?: string } | null }) => `${e.target}:${e.detail?.code}`);
  assert.ok(codes.includes('slow_hang:KRN_ERR_TOOL_TIMEOUT'), codes.join(', '));
  assert.ok(codes.includes('slow_throw:KRN_ERR_TOOL_FAILED'), codes.join(', '));
  assert.deepEqual(await s.close(), { code: 0, signal: null }, s.stderr());
});

test('on the wire, every progress notification precedes the result of its call; no token, no progress', async (t) => {
  const h = harness(t);
  h.config({ plugins: { admin: true, [SLOW]: true } });
  const r = h.raw();
  await r.initialize();
  const progressOf = (token: string, messages: Record<string, any>[]) =>
    messages.filter((m) => m.method === 'notifications/progress' && m.params?.progressToken === token).map((m) => [m.params.progress, m.params.total]);
  const res = await r.request('tools/call', { name: 'slow_steps', arguments: { steps: 5, stepMs: 5 }, _meta: { progressToken: 'tok' } });
  assert.deepEqual(res.result?.structuredContent, { completed: 5 }, JSON.stringify(res));
  const at = r.messages.indexOf(res);
  assert.deepEqual(progressOf('tok', r.messages.slice(0, at)), [1, 2, 3, 4, 5].map((i) => [i, 5]));
  const quiet = await r.request('tools/call', { name: 'slow_steps', arguments: { steps: 3, stepMs: 5 } });
  assert.deepEqual(quiet.result?.structuredContent, { completed: 3 });
  await r.request('ping');
  assert.equal(r.messages.filter((m) => m.method === 'notifications/progress').length, 5, 'progress only for the call that asked');
  r.child.stdin?.end();
  assert.deepEqual(await r.exited, { code: 0, signal: null }, r.stderr());
});

// ---------------------------------------------------------------------------------------------
// 3. tools/list_changed

test('disabling a plugin (CLI edit of the config, or the admin tool) sends tools/list_changed and its tools go; enabling brings them back', async (t) => {
  const h = harness(t);
  h.config({ plugins: { admin: true, [SLOW]: true }, rbac: { localRole: 'admin' } });
  const s = await h.connect(['--profile', 'all']);
  let changes = 0;
  s.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
  const changed = async (from: number, what: string) => until(() => changes > from, () => `no tools/list_changed after ${what}\n${s.stderr()}`);
  assert.deepEqual(await toolNames(s), [...ADMIN_TOOLS, ...SLOW_TOOLS].sort());

  // 1) `devflow plugins disable <entry>` edits the file; the running server's watcher applies it.
  let before = changes;
  const off = h.cli(['plugins', 'disable', SLOW]);
  assert.equal(off.code, 0, off.stderr);
  await changed(before, 'devflow plugins disable');
  await until(async () => !(await toolNames(s)).some((n) => n.startsWith('slow_')), () => 'the slow_* tools are still listed');
  assert.deepEqual(await toolNames(s), ADMIN_TOOLS);
  const gone = await s.client.callTool({ name: 'slow_echo', arguments: { text: 'x' } }).then(
    () => assert.fail('a disabled plugin\'s tool must not answer'),
    (e: unknown) => e,
  );
  assert.ok(gone instanceof McpError && gone.code === -32602, String(gone));

  // 2) The admin tool enables it again (and writes the file).
  before = changes;
  const on = await ok(s, 'devflow_plugin_set_enabled', { plugin: 'mcp-slow', enabled: true });
  assert.deepEqual(on, { started: ['mcp-slow'], stopped: [], problems: [] });
  await changed(before, 'devflow_plugin_set_enabled true');
  assert.deepEqual(await toolNames(s), [...ADMIN_TOOLS, ...SLOW_TOOLS].sort());
  assert.deepEqual(await ok(s, 'slow_echo', { text: 'back' }), { echo: 'back' });

  // 3) The admin tool disables it (by id), then the CLI enables it.
  before = changes;
  assert.deepEqual(await ok(s, 'devflow_plugin_set_enabled', { plugin: 'mcp-slow', enabled: false }), { started: [], stopped: ['mcp-slow'], problems: [] });
  await changed(before, 'devflow_plugin_set_enabled false');
  assert.deepEqual(await toolNames(s), ADMIN_TOOLS);
  before = changes;
  const back = h.cli(['plugins', 'enable', SLOW]);
  assert.equal(back.code, 0, back.stderr);
  await changed(before, 'devflow plugins enable');
  await until(async () => (await toolNames(s)).includes('slow_echo'), () => 'slow_echo did not come back');
  assert.deepEqual(await ok(s, 'slow_echo', { text: 'again' }), { echo: 'again' });
  assert.deepEqual(await s.close(), { code: 0, signal: null }, s.stderr());
});

// ---------------------------------------------------------------------------------------------
// 4. permissions

test('as a viewer, devflow_plugin_set_enabled is an isError naming plugins:manage, nothing changes, and the denial is audited', async (t) => {
  const h = harness(t);
  const file = h.config({ plugins: { admin: true } });
  const s = await h.connect(['--role', 'viewer', '--profile', 'all']);
  // A viewer does not see what it may not call...
  assert.deepEqual(await toolNames(s), EVERYDAY);
  // ...and calling it by name is refused, naming the permission.
  const denied = await call(s, 'devflow_plugin_set_enabled', { plugin: 'admin', enabled: false });
  assert.equal(denied.isError, true);
  assert.match(text(denied), /^KRN_ERR_FORBIDDEN: .*\(role viewer\) lacks plugins:manage, which devflow_plugin_set_enabled needs/);
  const audit = await call(s, 'devflow_audit_query', {});
  assert.equal(audit.isError, true);
  assert.match(text(audit), /lacks audit:read/);
  // Reading still works, and the plugin is still running.
  assert.equal((await ok(s, 'devflow_status')).plugins[0].state, 'started');
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).plugins, { admin: true });
  assert.deepEqual(await s.close(), { code: 0, signal: null }, s.stderr());

  const db = new Database(join(h.dir, 'devflow.db'), { readonly: true });
  try {
    const rows = db.prepare("SELECT principal, role, action, target, outcome, detail FROM audit_log WHERE outcome = 'denied' ORDER BY seq").all() as Record<string, string>[];
    const set = rows.filter((r) => r.target === 'devflow_plugin_set_enabled');
    assert.equal(set.length, 1, JSON.stringify(rows));
    assert.equal(set[0]?.role, 'viewer');
    assert.equal(set[0]?.action, 'tool:call');
    assert.deepEqual(JSON.parse(set[0]?.detail ?? 'null'), { permission: 'plugins:manage' });
    assert.ok(rows.some((r) => r.target === 'devflow_audit_query'), 'the audit query denial is audited too');
    const changes = db.prepare("SELECT count(*) AS n FROM audit_log WHERE action IN ('plugins:enable', 'plugins:disable')").get() as { n: number };
    assert.equal(changes.n, 0, 'no plugin change was made');
  } finally {
    db.close();
  }
});

// ---------------------------------------------------------------------------------------------
// 5. stdout purity and log forwarding (raw stdio)

function assertJsonRpcLines(lines: readonly string[], stderr: string): void {
  assert.ok(lines.length > 0, 'the server wrote something');
  for (const [i, line] of lines.entries()) {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(line) as Record<string, unknown>;
    } catch {
      assert.fail(`stdout line ${i + 1} is not JSON: ${JSON.stringify(line.slice(0, 200))}\nstderr:\n${stderr.slice(-2000)}`);
    }
    assert.equal(m.jsonrpc, '2.0', `line ${i + 1}: ${line.slice(0, 200)}`);
    const isNotification = typeof m.method === 'string' && !('id' in m);
    const isRequest = typeof m.method === 'string' && 'id' in m;
    const isResponse = !('method' in m) && 'id' in m && ('result' in m) !== ('error' in m);
    assert.ok(isNotification || isRequest || isResponse, `line ${i + 1} is not a JSON-RPC message: ${line.slice(0, 200)}`);
  }
}

test('stdout carries JSON-RPC only: stray console/stdout writes from a plugin go to stderr; log records follow logging/setLevel', async (t) => {
  const h = harness(t);
  h.config({ plugins: { admin: true, [NOISY]: true }, logging: { level: 'trace' } });
  const r = h.raw(['--profile', 'all']);
  const init = await r.initialize();
  assert.equal(init.result?.serverInfo?.name, 'devflow', JSON.stringify(init));

  const logsFor = (tag: string) =>
    r.messages.filter((m) => m.method === 'notifications/message' && m.params?.data?.tag === tag).map((m) => m.params.level as string);

  // Before setLevel: warnings and worse only.
  const quiet = await r.request('tools/call', { name: 'noisy_shout', arguments: { tag: 'before' } });
  assert.deepEqual(quiet.result?.structuredContent, { shouted: true }, JSON.stringify(quiet));
  await until(() => logsFor('before').length >= 2, () => `warning/error records not forwarded: ${JSON.stringify(r.messages.slice(-5))}`);
  assert.deepEqual(logsFor('before').sort(), ['error', 'warning']);

  // After setLevel debug: debug (trace and debug records), info, warning, error.
  const set = await r.request('logging/setLevel', { level: 'debug' });
  assert.deepEqual(set.result, {}, JSON.stringify(set));
  const loud = await r.request('tools/call', { name: 'noisy_shout', arguments: { tag: 'after' } });
  assert.deepEqual(loud.result?.structuredContent, { shouted: true });
  await until(() => logsFor('after').length >= 5, () => `debug records not forwarded: ${JSON.stringify(logsFor('after'))}`);
  assert.deepEqual(logsFor('after').sort(), ['debug', 'debug', 'error', 'info', 'warning']);
  const record = r.messages.find((m) => m.method === 'notifications/message' && m.params?.data?.tag === 'after' && m.params.level === 'info');
  assert.equal(record?.params.logger, 'mcp-noisy');
  assert.equal(record?.params.data.msg, 'noisy info after');
  assert.equal(record?.params.data.tool, 'noisy_shout');

  // And back to error: info and warning stop.
  await r.request('logging/setLevel', { level: 'error' });
  await r.request('tools/call', { name: 'noisy_shout', arguments: { tag: 'last' } });
  await until(() => logsFor('last').length >= 1, () => 'error record not forwarded');
  await r.request('ping');
  assert.deepEqual(logsFor('last'), ['error']);

  r.child.stdin?.end();
  assert.deepEqual(await r.exited, { code: 0, signal: null }, r.stderr());
  assertJsonRpcLines(r.lines, r.stderr());
  assert.doesNotMatch(r.lines.join('\n'), /NOISY/);
  const err = r.stderr();
  for (const where of ['at start', 'in tool before', 'in tool after']) {
    for (const what of ['console.log', 'console.info', 'console.debug', 'console.table', 'console.dir', 'stdout.write', 'stdout.write without newline', 'stdout.write buffer']) {
      assert.ok(err.includes(`NOISY ${what} ${where}`) || err.includes(`${what} ${where}`), `"${what} ${where}" missing on stderr`);
    }
  }
  // The log level in the config (trace) governs stderr.
  assert.match(err, /"msg":"noisy trace after"/);
});

// ---------------------------------------------------------------------------------------------
// 6. bad input on the wire, and a client that goes away mid-call

test('bad input over raw stdio: malformed lines get no answer but the server keeps serving; unknown methods get -32601', async (t) => {
  const h = harness(t);
  h.config({ plugins: { admin: true } });
  const r = h.raw();
  await r.initialize();
  const count = r.lines.length;

  // The SDK's stdio transport drops a line that is not JSON, or not a JSON-RPC message, without an
  // answer (it reports it to onerror). Whatever comes next is still served.
  r.send('this is not json {');
  r.send('{"jsonrpc":"2.0","id":900,"method":"tools/list"'); // cut short
  r.send({ hello: 'world' });
  r.send({ jsonrpc: '1.0', id: 901, method: 'ping' });
  r.send('');
  const ping = await r.request('ping');
  assert.deepEqual(ping.result, {}, JSON.stringify(ping));
  assert.equal(r.lines.length, count + 1, `only the ping was answered: ${r.lines.slice(count).join('\n')}`);
  assert.ok(!r.messages.some((m) => m.id === 900 || m.id === 901));

  const unknown = await r.request('devflow/frobnicate', {});
  assert.equal(unknown.error?.code, -32601, JSON.stringify(unknown));
  // A request with malformed params is answered with an error, not dropped.
  const badParams = await r.request('tools/call', { name: 42 });
  assert.equal(typeof badParams.error?.code, 'number', JSON.stringify(badParams));
  const badTool = await r.request('tools/call', { name: 'no_such_tool', arguments: {} });
  assert.equal(badTool.error?.code, -32602, JSON.stringify(badTool));
  const list = await r.request('tools/list');
  assert.deepEqual(list.result?.tools.map((x: { name: string }) => x.name), EVERYDAY);
  const status = await r.request('tools/call', { name: 'devflow_status', arguments: {} });
  assert.equal(status.result?.structuredContent?.version, KERNEL_VERSION, JSON.stringify(status));

  r.child.stdin?.end();
  assert.deepEqual(await r.exited, { code: 0, signal: null }, r.stderr());
  assertJsonRpcLines(r.lines, r.stderr());
});

async function slowCallInFlight(r: Raw, marker: string): Promise<void> {
  await r.initialize();
  r.send({ jsonrpc: '2.0', id: 77, method: 'tools/call', params: { name: 'slow_steps', arguments: { steps: 100_000, stepMs: 20, marker }, _meta: { progressToken: 'p77' } } });
  await until(() => r.messages.some((m) => m.method === 'notifications/progress' && m.params?.progressToken === 'p77'), () => `the slow call never reported progress\n${r.stderr()}`);
}

function assertDatabaseIntact(dir: string): void {
  const db = new Database(join(dir, 'devflow.db'), { readonly: true });
  try {
    assert.equal((db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok');
    const aborted = db.prepare("SELECT data FROM events WHERE type = 'mcp-slow.call.aborted'").all() as { data: string }[];
    assert.equal(aborted.length, 1, 'the aborted handler\'s event was written before shutdown');
    assert.equal((JSON.parse(aborted[0]?.data ?? '{}') as { tool: string }).tool, 'slow_steps');
    assert.ok((db.prepare("SELECT count(*) AS n FROM events WHERE type = 'kernel.plugin.stopped'").get() as { n: number }).n >= 2, 'clean stop recorded');
    assert.equal((db.prepare('SELECT count(*) AS n FROM leases').get() as { n: number }).n, 0, 'no lease left behind');
  } finally {
    db.close();
  }
}

test('a client that closes stdin while a slow tool runs: the handler is aborted and the server exits 0 with the database intact', async (t) => {
  const h = harness(t);
  h.config({ plugins: { admin: true, [SLOW]: true } });
  const r = h.raw();
  const marker = join(h.dir, 'aborted.json');
  await slowCallInFlight(r, marker);
  r.child.stdin?.end();
  const exit = await Promise.race([r.exited, sleep(DEADLINE).then(() => 'still running' as const)]);
  assert.deepEqual(exit, { code: 0, signal: null }, `after stdin closed: ${JSON.stringify(exit)}\n${r.stderr()}`);
  assert.equal((JSON.parse(readFileSync(marker, 'utf8')) as { tool: string }).tool, 'slow_steps');
  assertJsonRpcLines(r.lines, r.stderr());
  assertDatabaseIntact(h.dir);
});

test('a client that dies (its end of stdout closed, stdin left open) while a slow tool runs: the server exits 0 with the database intact', async (t) => {
  const h = harness(t);
  h.config({ plugins: { admin: true, [SLOW]: true } });
  const r = h.raw();
  const marker = join(h.dir, 'aborted.json');
  await slowCallInFlight(r, marker);
  // The client stops reading: the server's next progress notification hits a broken pipe.
  r.child.stdout?.destroy();
  const exit = await Promise.race([r.exited, sleep(DEADLINE).then(() => 'still running' as const)]);
  assert.deepEqual(exit, { code: 0, signal: null }, `after stdout closed: ${JSON.stringify(exit)}\n${r.stderr()}`);
  assert.ok(existsSync(marker), 'the handler saw the abort');
  assertDatabaseIntact(h.dir);
});

// ---------------------------------------------------------------------------------------------
// 7. several clients on one DEVFLOW_HOME: one monitor, take-over, no double counting

test('two devflow mcp processes on one home: the lease owner alone records files, the other takes over after kill -9, each file recorded once', async (t) => {
  const h = harness(t);
  const watched = join(h.dir, 'watched');
  mkdirSync(watched);
  h.config({ plugins: { admin: true, [WATCH]: { config: { dir: watched } } }, kernel: { leaseTtlMs: 1000 } });
  const a = await h.connect();
  const b = await h.connect();
  const owns = async (s: Session) => (await ok(s, 'devflow_status')).monitorLeaseHeld as boolean;
  const watchState = async (s: Session) => (await ok(s, 'devflow_status')).plugins.find((p: { id: string }) => p.id === 'mcp-watch')?.state as string;
  const [owner, other] = await until(async () => {
    const [ha, hb] = [await owns(a), await owns(b)];
    return ha !== hb ? (ha ? [a, b] : [b, a]) : undefined;
  }, () => 'exactly one process should hold the monitor lease');
  assert.equal(await watchState(owner), 'started');
  assert.equal(await watchState(other), 'standby');

  const recorded = async (s: Session): Promise<string[]> => {
    const names: string[] = [];
    for (let cursor: number | null | undefined; ; ) {
      const page = await ok(s, 'devflow_events_query', { types: ['mcp-watch.file.seen'], limit: 200, ...(cursor ? { cursor } : {}) });
      names.push(...page.events.map((e: { data: { name: string } }) => e.data.name));
      if (page.next === null) break;
      cursor = page.next;
    }
    return names.sort();
  };
  const create = (names: string[]) => names.forEach((n) => writeFileSync(join(watched, n), n));
  const allRecorded = (s: Session, names: string[]) =>
    until(async () => {
      const got = new Set(await recorded(s));
      return names.every((n) => got.has(n));
    }, () => `not every file was recorded: ${names.join(', ')}`);

  const first = ['a1.txt', 'a2.txt', 'a3.txt'];
  create(first);
  await allRecorded(other, first); // the standby reads the shared database
  create(['a4.txt', 'a5.txt']);
  await allRecorded(other, [...first, 'a4.txt', 'a5.txt']);

  // kill -9 the owner; files created now, while nobody watches, must be picked up by the successor.
  process.kill(owner.pid, 'SIGKILL');
  assert.equal((await owner.exited).signal, 'SIGKILL');
  create(['b1.txt', 'b2.txt']);
  await until(async () => (await owns(other)) && (await watchState(other)) === 'started', () => `the survivor did not take over the lease\n${other.stderr()}`);
  create(['c1.txt', 'c2.txt', 'c3.txt']);
  const every = ['a1.txt', 'a2.txt', 'a3.txt', 'a4.txt', 'a5.txt', 'b1.txt', 'b2.txt', 'c1.txt', 'c2.txt', 'c3.txt'];
  await allRecorded(other, every);
  await sleep(500); // a few more polls: a duplicate would show up now
  assert.deepEqual(await recorded(other), every);
  assert.deepEqual(await other.close(), { code: 0, signal: null }, other.stderr());

  const db = new Database(join(h.dir, 'devflow.db'), { readonly: true });
  try {
    assert.equal((db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok');
    const rows = db.prepare("SELECT json_extract(data, '$.name') AS name, count(*) AS n, count(DISTINCT json_extract(data, '$.pid')) AS pids FROM events WHERE type = 'mcp-watch.file.seen' GROUP BY name ORDER BY name").all() as { name: string; n: number }[];
    assert.deepEqual(rows.map((r) => [r.name, r.n]), every.map((n) => [n, 1]));
    const byPid = db.prepare("SELECT json_extract(data, '$.pid') AS pid, group_concat(json_extract(data, '$.name')) AS names FROM events WHERE type = 'mcp-watch.file.seen' GROUP BY pid").all() as { pid: number; names: string }[];
    assert.equal(byPid.find((r) => r.pid === owner.pid)?.names.split(',').sort().join(','), 'a1.txt,a2.txt,a3.txt,a4.txt,a5.txt', JSON.stringify(byPid));
    assert.equal(byPid.find((r) => r.pid === other.pid)?.names.split(',').sort().join(','), 'b1.txt,b2.txt,c1.txt,c2.txt,c3.txt', JSON.stringify(byPid));
  } finally {
    db.close();
  }
});
