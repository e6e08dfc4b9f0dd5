// Sessions of clients that vanish without DELETE are closed after the idle time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpLogBridge } from '../src/mcp/log-bridge.js';
import { serveHttp } from '../src/mcp/http.js';
import { createTestKernel } from '../src/testing/index.js';

test('an idle HTTP session is closed and then answers 404', async (t) => {
  const tk = await createTestKernel({ t });
  const http = await serveHttp(tk.kernel, {
    host: '127.0.0.1',
    port: 0,
    allowedHosts: [],
    allowedOrigins: [],
    tokens: [],
    profile: { kind: 'all' },
    localPrincipal: tk.kernel.localPrincipal,
    bridge: new McpLogBridge(),
    sessionIdleMs: 150,
  });
  t.after(() => http.close());
  const client = new Client({ name: 'idle-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(http.url));
  await client.connect(transport);
  const sessionId = transport.sessionId;
  assert.ok(sessionId);
  await client.listTools();

  // Stay silent well past the idle time (any request would count as activity), then ask once.
  await new Promise((r) => setTimeout(r, 1000));
  const res = await fetch(http.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }),
  });
  const status = res.status;
  await res.body?.cancel();
  assert.equal(status, 404, 'the idle session was closed');
});
