import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import Database from 'better-sqlite3';

// `devflow mcp --http` as a real child process, spoken to by the SDK's client and by raw HTTP for
// everything a well-behaved client never sends. Compiled tests run from core/dist/test.
const BIN = fileURLToPath(new URL('../../bin/devflow.js', import.meta.url));
const START_DEADLINE_MS = 20_000;

type T = { after(fn: () => unknown): void };

/** Servers started in each temp home: stopped before the home is removed (after hooks run in order). */
const serversIn = new Map<string, ChildProcess[]>();

function tempHome(t: T): string {
  const dir = mkdtempSync(join(tmpdir(), 'devflow-mcp-http-'));
  t.after(async () => {
    for (const child of serversIn.get(dir) ?? []) await stopChild(child);
    serversIn.delete(dir);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/**
 * A plugin written into the temp dir (plain ESM, branded like definePlugin does): a tool that needs
 * `probe:write` (viewers only read), plus a resource and a prompt.
 */
const PROBE_PLUGIN = `
export default {
  [Symbol.for('devflow.plugin-definition')]: true,
  id: 'probe', version: '1.0.0', kernel: '^1.0.0',
  description: 'Test fixture: a write tool, a resource and a prompt.',
  permissions: ['probe:write', 'probe:read'],
  start(ctx) {
    ctx.tools.register({ name: 'probe_write', description: 'Pretends to write; needs probe:write.', permission: 'probe:write',
      inputSchema: { type: 'object', properties: {}, additionalProperties: false } }, () => ({ wrote: true }));
    ctx.resources.register({ uri: 'devflow://probe/info', name: 'info', description: 'Probe info.', mimeType: 'application/json',
      permission: 'probe:read' }, () => ({ json: { probe: true } }));
    ctx.prompts.register({ name: 'probe_prompt', description: 'A probe prompt.', arguments: [{ name: 'topic', required: true }],
      permission: 'probe:read' }, (args) => 'Tell me about ' + args.topic);
  },
};
`;

function writeProbePlugin(dir: string): string {
  const file = join(dir, 'probe-plugin.mjs');
  writeFileSync(file, PROBE_PLUGIN);
  return file;
}

interface Server {
  url: string;
  port: number;
  home: string;
  child: ChildProcess;
  stderr(): string;
}

/** Spawn `devflow mcp --http --port 0 …` in `home` and wait until it prints its URL. */
async function startServer(t: T, home: string, args: string[] = []): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'mcp', '--http', '--port', '0', ...args], {
    cwd: home,
    env: { ...process.env, DEVFLOW_HOME: home, DEVFLOW_CONFIG: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  serversIn.set(home, [...(serversIn.get(home) ?? []), child]);
  t.after(() => stopChild(child));
  let err = '';
  child.stderr?.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`devflow mcp --http did not print its URL within ${START_DEADLINE_MS} ms:\n${err}`)), START_DEADLINE_MS);
    child.stderr?.on('data', (chunk: string) => {
      err += chunk;
      const m = /devflow: MCP over Streamable HTTP at (http:\/\/\S+\/mcp)/.exec(err);
      if (m) (clearTimeout(timer), resolve(m[1] as string));
    });
    child.once('exit', (code, signal) => (clearTimeout(timer), reject(new Error(`devflow mcp --http exited (${code ?? signal}) before listening:\n${err}`))));
  });
  return { url, port: Number(new URL(url).port), home, child, stderr: () => err };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** One HTTP request with exactly the headers given (fetch would not let us forge Host). */
function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let answered: RawResponse | undefined;
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers ?? {} }, (res) => {
      let text = '';
      answered = { status: res.statusCode ?? 0, headers: res.headers, text };
      res.setEncoding('utf8');
      res.on('data', (c: string) => ((text += c), ((answered as RawResponse).text = text)));
      res.on('end', () => resolve(answered as RawResponse));
      res.on('error', () => resolve(answered as RawResponse));
    });
    // A server may answer (413) and hang up before it has read a large body: the answer counts.
    // The hang-up can reach the request (EPIPE, ECONNRESET) just before the answer is parsed, so
    // a reset waits a moment for it.
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (answered) return resolve(answered);
      if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') return reject(e);
      setTimeout(() => (answered ? resolve(answered) : reject(e)), 500);
    });
    req.end(options.body);
  });
}

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** The JSON-RPC messages of a response, whether it came as JSON or as an SSE stream. */
function messages(res: RawResponse): Record<string, unknown>[] {
  if (String(res.headers['content-type']).startsWith('text/event-stream')) {
    return res.text
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => JSON.parse(l.slice(5)) as Record<string, unknown>);
  }
  const body = JSON.parse(res.text) as Record<string, unknown> | Record<string, unknown>[];
  return Array.isArray(body) ? body : [body];
}

function rpcError(res: RawResponse): { code: number; message: string } {
  const m = messages(res);
  assert.equal(m.length, 1, res.text);
  const error = m[0]?.error as { code: number; message: string } | undefined;
  assert.ok(error, `expected a JSON-RPC error, got ${res.text}`);
  return error;
}

const initialize = (id = 1) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-test', version: '0.0.0' } } });

/** A session opened by hand: initialize, then the initialized notification. */
async function rawSession(url: string, headers: Record<string, string> = {}): Promise<{ sessionId: string; headers: Record<string, string> }> {
  const init = await raw(url, { headers: { ...MCP_HEADERS, ...headers }, body: initialize() });
  assert.equal(init.status, 200, init.text);
  const sessionId = init.headers['mcp-session-id'];
  assert.equal(typeof sessionId, 'string', 'initialize answers with an mcp-session-id');
  const result = messages(init)[0]?.result as { protocolVersion: string; serverInfo: { name: string } };
  assert.equal(result.serverInfo.name, 'devflow');
  const sessionHeaders = { ...MCP_HEADERS, ...headers, 'mcp-session-id': sessionId as string, 'mcp-protocol-version': result.protocolVersion };
  const note = await raw(url, { headers: sessionHeaders, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  assert.equal(note.status, 202, note.text);
  return { sessionId: sessionId as string, headers: sessionHeaders };
}

async function connect(t: T, url: string, token?: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url), token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {});
  const client = new Client({ name: 'devflow-test', version: '0.0.0' });
  await client.connect(transport);
  t.after(() => client.close());
  return { client, transport };
}

const textOf = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

test('Streamable HTTP: initialize, tools, sessions, DELETE, unknown and missing sessions', async (t) => {
  const home = tempHome(t);
  const server = await startServer(t, home, ['--profile', 'all']);
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);

  const { client, transport } = await connect(t, server.url);
  assert.equal(client.getServerVersion()?.name, 'devflow');
  assert.ok(client.getServerCapabilities()?.tools, 'the server declares tools');
  assert.ok(client.getInstructions()?.includes('devflow_status'));
  const sessionId = transport.sessionId;
  assert.ok(sessionId, 'the client got an mcp-session-id');

  const { tools } = await client.listTools();
  const names = tools.map((x) => x.name);
  assert.ok(names.includes('devflow_status'), `tools: ${names.join(', ')}`);
  assert.ok(names.includes('devflow_events_query'), `tools: ${names.join(', ')}`);
  assert.ok(tools.every((x) => x.description && x.inputSchema.type === 'object'));

  const status = (await client.callTool({ name: 'devflow_status', arguments: {} })) as CallToolResult;
  assert.notEqual(status.isError, true, textOf(status));
  const s = status.structuredContent as { version: string; plugins: { id: string; state: string }[] };
  assert.equal(typeof s.version, 'string');
  assert.deepEqual(s.plugins.find((p) => p.id === 'admin')?.state, 'started');
  assert.match(textOf(status), /^DevFlow [^\n]+\n[^]*running: [^\n]*admin/, 'the text content is the status rendered for the model');

  // A second client gets a session of its own.
  const second = await connect(t, server.url);
  assert.ok(second.transport.sessionId);
  assert.notEqual(second.transport.sessionId, sessionId);

  // The session id works on raw requests too.
  const headers = { ...MCP_HEADERS, 'mcp-session-id': sessionId, 'mcp-protocol-version': transport.protocolVersion ?? '2025-06-18' };
  const listed = await raw(server.url, { headers, body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/list' }) });
  assert.equal(listed.status, 200, listed.text);
  const listResult = messages(listed).find((m) => m.id === 5)?.result as { tools: { name: string }[] };
  assert.ok(listResult.tools.some((x) => x.name === 'devflow_status'));

  await t.test('an unknown session id gets 404', async () => {
    const r = await raw(server.url, { headers: { ...headers, 'mcp-session-id': 'no-such-session' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    assert.equal(r.status, 404, r.text);
    assert.match(rpcError(r).message, /session/i);
  });

  await t.test('a request without a session that is not initialize gets 400', async () => {
    const r = await raw(server.url, { headers: MCP_HEADERS, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    assert.equal(r.status, 400, r.text);
    assert.match(rpcError(r).message, /initialize/);
    const get = await raw(server.url, { method: 'GET', headers: { accept: 'text/event-stream' } });
    assert.equal(get.status, 400, get.text);
  });

  await t.test('paths other than /mcp get 404', async () => {
    const r = await raw(server.url.replace(/\/mcp$/, '/other'), { headers: MCP_HEADERS, body: initialize() });
    assert.equal(r.status, 404, r.text);
  });

  await t.test('DELETE ends a session; the other session lives on', async () => {
    await transport.terminateSession();
    assert.equal(transport.sessionId, undefined);
    const after = await raw(server.url, { headers, body: JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'tools/list' }) });
    assert.equal(after.status, 404, after.text);
    const again = await raw(server.url, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } });
    assert.equal(again.status, 404, 'a deleted session cannot be deleted twice');
    const { tools: still } = await second.client.listTools();
    assert.ok(still.some((x) => x.name === 'devflow_status'));
  });

  await t.test('the server keeps serving new sessions', async () => {
    const third = await connect(t, server.url);
    const r = (await third.client.callTool({ name: 'devflow_status', arguments: {} })) as CallToolResult;
    assert.notEqual(r.isError, true, textOf(r));
  });
});

test('Streamable HTTP: Host and Origin checks', async (t) => {
  const home = tempHome(t);
  const server = await startServer(t, home);
  const port = server.port;

  await t.test('a foreign Host gets 403 (DNS rebinding)', async () => {
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `localhost:${port + 1}`]) {
      const r = await raw(server.url, { headers: { ...MCP_HEADERS, host }, body: initialize() });
      assert.equal(r.status, 403, `Host ${host}: ${r.status} ${r.text}`);
      assert.equal(r.headers['mcp-session-id'], undefined);
    }
  });

  await t.test('a foreign Origin gets 403', async () => {
    for (const origin of ['http://evil.example', `http://evil.example:${port}`, `http://localhost:${port + 1}`, 'null']) {
      const r = await raw(server.url, { headers: { ...MCP_HEADERS, origin }, body: initialize() });
      assert.equal(r.status, 403, `Origin ${origin}: ${r.status} ${r.text}`);
      assert.match(rpcError(r).message, /Origin/);
    }
  });

  await t.test('local Host and Origin pass', async () => {
    for (const [host, origin] of [
      [`localhost:${port}`, `http://localhost:${port}`],
      [`127.0.0.1:${port}`, `http://127.0.0.1:${port}`],
      [`127.0.0.1:${port}`, undefined],
    ] as const) {
      const r = await raw(server.url, { headers: { ...MCP_HEADERS, host, ...(origin ? { origin } : {}) }, body: initialize() });
      assert.equal(r.status, 200, `Host ${host}, Origin ${origin}: ${r.text}`);
      assert.equal(typeof r.headers['mcp-session-id'], 'string');
    }
    // And a whole session with the browser-style Origin works.
    const s = await rawSession(server.url, { origin: `http://localhost:${port}` });
    const ping = await raw(server.url, { headers: s.headers, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }) });
    assert.equal(ping.status, 200, ping.text);
    assert.deepEqual(messages(ping)[0], { jsonrpc: '2.0', id: 2, result: {} });
  });
});

test('Streamable HTTP: oversized and malformed bodies, unknown methods', async (t) => {
  const home = tempHome(t);
  const server = await startServer(t, home);

  await t.test('a body over 4 MB gets 413', async () => {
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(5 * 1024 * 1024) } });
    const r = await raw(server.url, { headers: MCP_HEADERS, body: big });
    assert.equal(r.status, 413, r.text);
    // Sent in chunks without a Content-Length, the server has to count.
    const chunked = await new Promise<RawResponse>((resolve, reject) => {
      const req = request(server.url, { method: 'POST', headers: { ...MCP_HEADERS, 'transfer-encoding': 'chunked' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(256 * 1024, 'x');
      let sent = 0;
      const pump = () => {
        while (sent < 5 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    assert.equal(chunked.status, 413, chunked.text);
  });

  await t.test('malformed JSON gets 400 with a JSON-RPC parse error', async () => {
    const r = await raw(server.url, { headers: MCP_HEADERS, body: '{"jsonrpc": "2.0", "id": 1, "method": ' });
    assert.equal(r.status, 400, r.text);
    assert.equal(rpcError(r).code, -32700);
    const s = await rawSession(server.url);
    const inSession = await raw(server.url, { headers: s.headers, body: 'not json at all' });
    assert.equal(inSession.status, 400, inSession.text);
    assert.equal(rpcError(inSession).code, -32700);
  });

  await t.test('an unknown method gets -32601 and the session keeps working', async () => {
    const s = await rawSession(server.url);
    const r = await raw(server.url, { headers: s.headers, body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'frobnicate/now', params: {} }) });
    assert.equal(r.status, 200, r.text);
    const m = messages(r).find((x) => x.id === 9);
    assert.equal((m?.error as { code: number } | undefined)?.code, -32601, r.text);
    const ping = await raw(server.url, { headers: s.headers, body: JSON.stringify({ jsonrpc: '2.0', id: 10, method: 'ping' }) });
    assert.equal(ping.status, 200, ping.text);
    assert.deepEqual(messages(ping)[0], { jsonrpc: '2.0', id: 10, result: {} });
  });

  await t.test('after all that the server still serves a real client', async () => {
    const { client } = await connect(t, server.url);
    await client.ping();
    const r = (await client.callTool({ name: 'devflow_status', arguments: {} })) as CallToolResult;
    assert.notEqual(r.isError, true, textOf(r));
  });
  assert.equal(server.child.exitCode, null, `the server died:\n${server.stderr()}`);
});

const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
const VIEWER_TOKEN = 'viewer-token-0123456789abcdef';

test('Streamable HTTP with bearer tokens: 401s, roles, audit, sessions bound to their principal', async (t) => {
  const home = tempHome(t);
  const probe = writeProbePlugin(home);
  writeFileSync(
    join(home, 'devflow.config.json'),
    JSON.stringify({
      plugins: { admin: {}, [probe]: {} },
      mcp: {
        http: {
          tokens: [
            { tokenSha256: createHash('sha256').update(ADMIN_TOKEN).digest('hex'), principal: 'ops', role: 'admin' },
            { token: VIEWER_TOKEN, principal: 'dash', role: 'viewer' },
          ],
        },
      },
    }),
  );
  const server = await startServer(t, home, ['--profile', 'all']);

  await t.test('no token gets 401 with WWW-Authenticate', async () => {
    const r = await raw(server.url, { headers: MCP_HEADERS, body: initialize() });
    assert.equal(r.status, 401, r.text);
    assert.match(String(r.headers['www-authenticate']), /^Bearer\b/);
    assert.equal(r.headers['mcp-session-id'], undefined);
  });

  await t.test('a wrong token gets 401', async () => {
    for (const authorization of [`Bearer ${VIEWER_TOKEN}x`, `Bearer ${createHash('sha256').update(ADMIN_TOKEN).digest('hex')}`, `Basic ${VIEWER_TOKEN}`, 'Bearer']) {
      const r = await raw(server.url, { headers: { ...MCP_HEADERS, authorization }, body: initialize() });
      assert.equal(r.status, 401, `${authorization}: ${r.text}`);
      assert.match(String(r.headers['www-authenticate']), /^Bearer\b/);
    }
  });

  await t.test('the SDK client without a token cannot connect', async () => {
    const client = new Client({ name: 'devflow-test', version: '0.0.0' });
    await assert.rejects(client.connect(new StreamableHTTPClientTransport(new URL(server.url))));
    await client.close();
  });

  const viewer = await connect(t, server.url, VIEWER_TOKEN);
  const admin = await connect(t, server.url, ADMIN_TOKEN);

  await t.test('a viewer reads status but is refused a tool that needs probe:write, and it is audited', async () => {
    const status = (await viewer.client.callTool({ name: 'devflow_status', arguments: {} })) as CallToolResult;
    assert.notEqual(status.isError, true, textOf(status));
    const plugins = (status.structuredContent as { plugins: { id: string; state: string }[] }).plugins;
    assert.equal(plugins.find((p) => p.id === 'probe')?.state, 'started', JSON.stringify(plugins));

    const { tools } = await viewer.client.listTools();
    assert.ok(tools.some((x) => x.name === 'devflow_status'));
    assert.ok(!tools.some((x) => x.name === 'probe_write'), 'a viewer is not shown a tool it cannot call');

    const denied = (await viewer.client.callTool({ name: 'probe_write', arguments: {} })) as CallToolResult;
    assert.equal(denied.isError, true);
    assert.match(textOf(denied), /KRN_ERR_FORBIDDEN/);
    assert.match(textOf(denied), /probe:write/);
    assert.match(textOf(denied), /token:dash/);

    const dbPath = (status.structuredContent as { database: { path: string } }).database.path;
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare("SELECT principal, role, action, target, outcome, detail FROM audit_log WHERE target = 'probe_write'").all() as {
        principal: string;
        role: string;
        action: string;
        outcome: string;
        detail: string;
      }[];
      const denial = rows.find((r) => r.outcome === 'denied');
      assert.ok(denial, `no denial in the audit log: ${JSON.stringify(rows)}`);
      assert.equal(denial.principal, 'token:dash');
      assert.equal(denial.role, 'viewer');
      assert.match(denial.detail, /probe:write/);
      const anonymous = db.prepare("SELECT count(*) AS n FROM audit_log WHERE principal = 'anonymous' AND outcome = 'denied'").get() as { n: number };
      assert.ok(anonymous.n >= 2, 'requests without a valid token are audited too');
    } finally {
      db.close();
    }
  });

  await t.test('an admin may call the same tool', async () => {
    const { tools } = await admin.client.listTools();
    assert.ok(tools.some((x) => x.name === 'probe_write'));
    const r = (await admin.client.callTool({ name: 'probe_write', arguments: {} })) as CallToolResult;
    assert.notEqual(r.isError, true, textOf(r));
    assert.deepEqual(JSON.parse(textOf(r)), { wrote: true });
  });

  await t.test('the admin-only devflow_audit_query: a viewer is refused (audit:read), an admin reads the denial in it', async () => {
    const denied = (await viewer.client.callTool({ name: 'devflow_audit_query', arguments: {} })) as CallToolResult;
    assert.equal(denied.isError, true, textOf(denied));
    assert.match(textOf(denied), /KRN_ERR_FORBIDDEN/);
    assert.match(textOf(denied), /audit:read/);

    const r = (await admin.client.callTool({ name: 'devflow_audit_query', arguments: { principal: 'token:dash', outcome: 'denied' } })) as CallToolResult;
    assert.notEqual(r.isError, true, textOf(r));
    const entries = (r.structuredContent as { entries: { principal: string; target?: string; outcome: string }[] }).entries;
    assert.ok(entries.some((e) => e.target === 'probe_write'), JSON.stringify(entries));
    assert.ok(entries.some((e) => e.target === 'devflow_audit_query'), JSON.stringify(entries));
    assert.ok(entries.every((e) => e.principal === 'token:dash' && e.outcome === 'denied'));
  });

  await t.test('a session cannot be used with another token', async () => {
    const viewerSession = viewer.transport.sessionId as string;
    const body = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'probe_write', arguments: {} } });
    const base = { ...MCP_HEADERS, 'mcp-session-id': viewerSession, 'mcp-protocol-version': viewer.transport.protocolVersion ?? '2025-06-18' };
    const stolen = await raw(server.url, { headers: { ...base, authorization: `Bearer ${ADMIN_TOKEN}` }, body });
    assert.equal(stolen.status, 403, stolen.text);
    assert.match(rpcError(stolen).message, /another principal/);
    const none = await raw(server.url, { headers: base, body });
    assert.equal(none.status, 401, none.text);
    const del = await raw(server.url, { method: 'DELETE', headers: { 'mcp-session-id': viewerSession, authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(del.status, 403, 'nor ended by another principal');
    // The rightful owner still can use it.
    const own = await raw(server.url, { headers: { ...base, authorization: `Bearer ${VIEWER_TOKEN}` }, body: JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'ping' }) });
    assert.equal(own.status, 200, own.text);
  });
});

test('listening beyond loopback without tokens refuses to start with a clear error', async (t) => {
  const home = tempHome(t);
  const child = spawn(process.execPath, [BIN, 'mcp', '--http', '--port', '0', '--host', '0.0.0.0'], {
    cwd: home,
    env: { ...process.env, DEVFLOW_HOME: home, DEVFLOW_CONFIG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  serversIn.set(home, [child]);
  t.after(() => stopChild(child));
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running after ${START_DEADLINE_MS} ms (it should have refused):\n${stderr}`)), START_DEADLINE_MS);
    child.once('exit', (c) => (clearTimeout(timer), resolve(c)));
  });
  assert.notEqual(code, 0, stderr);
  assert.equal(code, 78, `a config problem exits 78 (EX_CONFIG):\n${stderr}`);
  assert.doesNotMatch(stderr, /MCP over Streamable HTTP at/);
  assert.match(stderr, /0\.0\.0\.0/);
  assert.match(stderr, /mcp\.http\.tokens/);
  assert.doesNotMatch(stderr, /unexpected error|\n\s+at /, `a clear message, not a stack trace:\n${stderr}`);
  assert.equal(stdout, '');
});

test('beyond loopback with tokens it starts, and still wants the token', async (t) => {
  const home = tempHome(t);
  writeFileSync(join(home, 'devflow.config.json'), JSON.stringify({ plugins: { admin: {} }, mcp: { http: { tokens: [{ token: VIEWER_TOKEN, principal: 'dash', role: 'viewer' }] } } }));
  const server = await startServer(t, home, ['--host', '0.0.0.0', '--profile', 'all']);
  assert.match(server.url, /^http:\/\/0\.0\.0\.0:\d+\/mcp$/);
  const local = `http://127.0.0.1:${server.port}/mcp`;
  const r = await raw(local, { headers: MCP_HEADERS, body: initialize() });
  assert.equal(r.status, 401, r.text);
  const { client } = await connect(t, local, VIEWER_TOKEN);
  const status = (await client.callTool({ name: 'devflow_status', arguments: {} })) as CallToolResult;
  assert.notEqual(status.isError, true, textOf(status));
});
