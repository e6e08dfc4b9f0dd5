import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { OtlpError, summarizeLogs, summarizeMetrics } from '../src/otlp.js';
import { hostName } from '../src/otlp-server.js';
import { SECRET } from './fixtures.js';
import { setup } from './helpers.js';

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });
const now = () => `${Date.now()}000000`;

/** What Claude Code exports with CLAUDE_CODE_ENABLE_TELEMETRY=1 and OTEL_EXPORTER_OTLP_PROTOCOL=http/json. */
function claudeMetrics(extra: unknown[] = []) {
  const common = [str('user.email', 'dev@example.com'), str('session.id', 'abc'), str('terminal.type', 'vscode')];
  return {
    resourceMetrics: [
      {
        resource: { attributes: [str('service.name', 'claude-code'), str('service.version', '2.0.76'), str('os.type', 'linux')] },
        scopeMetrics: [
          {
            scope: { name: 'com.anthropic.claude_code', version: '2.0.76' },
            metrics: [
              {
                name: 'claude_code.token.usage',
                unit: 'tokens',
                sum: {
                  aggregationTemporality: 1,
                  isMonotonic: true,
                  dataPoints: [
                    { attributes: [...common, str('type', 'input'), str('model', 'claude-sonnet-4-5')], timeUnixNano: now(), asInt: '1200' },
                    { attributes: [...common, str('type', 'output'), str('model', 'claude-sonnet-4-5')], timeUnixNano: now(), asInt: 300 },
                    { attributes: [...common, str('type', 'cacheRead'), str('model', 'claude-sonnet-4-5')], timeUnixNano: now(), asInt: '50000' },
                  ],
                },
              },
              { name: 'claude_code.cost.usage', unit: 'USD', sum: { dataPoints: [{ attributes: [...common, str('model', 'claude-sonnet-4-5')], asDouble: 0.42 }] } },
              { name: 'claude_code.session.count', sum: { dataPoints: [{ attributes: common, asInt: '1' }] } },
              { name: 'claude_code.api.latency', unit: 'ms', histogram: { dataPoints: [{ count: '3', sum: 900, bucketCounts: ['1', '2'], explicitBounds: [100] }] } },
              ...extra,
            ],
          },
        ],
      },
    ],
  };
}

function claudeLogs() {
  const rec = (name: string, attrs: unknown[]) => ({ timeUnixNano: now(), severityText: 'INFO', body: { stringValue: `claude_code.${name} ${SECRET}` }, attributes: [str('event.name', name), ...attrs] });
  return {
    resourceLogs: [
      {
        resource: { attributes: [str('service.name', 'claude-code')] },
        scopeLogs: [
          {
            scope: { name: 'com.anthropic.claude_code.events' },
            logRecords: [
              rec('user_prompt', [int('prompt_length', 42), str('prompt', `do the thing ${SECRET}`)]),
              rec('tool_result', [str('tool_name', 'Bash'), str('success', 'true'), str('duration_ms', '120'), str('tool_parameters', JSON.stringify({ command: SECRET }))]),
              rec('tool_result', [str('tool_name', 'Edit'), str('success', 'false'), str('duration_ms', '30'), str('decision', 'accept')]),
              rec('api_request', [str('model', 'claude-sonnet-4-5'), str('cost_usd', '0.0123'), str('input_tokens', '1000'), str('output_tokens', '200'), str('content', SECRET), str('user.email', 'dev@example.com')]),
              'not a record',
            ],
          },
        ],
      },
    ],
  };
}

test('summarizeMetrics: names, units, sums and allow-listed label breakdowns; personal attributes are not kept', () => {
  const s = summarizeMetrics(claudeMetrics([{ name: 'broken', sum: { dataPoints: [{ asInt: 'many' }] } }, { sum: { dataPoints: [{ asInt: 1 }] } }]));
  assert.equal(s.service, 'claude-code');
  assert.equal(s.tool, 'claude');
  assert.equal(s.dataPoints, 6);
  assert.equal(s.rejected, 2, 'a point without a numeric value and a metric without a name');
  const tokens = s.metrics.find((m) => m.name === 'claude_code.token.usage')!;
  assert.equal(tokens.sum, 51_500);
  assert.deepEqual(tokens.by, { 'model=claude-sonnet-4-5,type=input': 1200, 'model=claude-sonnet-4-5,type=output': 300, 'model=claude-sonnet-4-5,type=cacheRead': 50_000 });
  assert.equal(s.metrics.find((m) => m.name === 'claude_code.api.latency')!.sum, 900);
  assert.ok(!JSON.stringify(s).includes('dev@example.com'));
});

test('summarizeLogs: event names and counts, numbers summed, labels counted; prompt, content and bodies dropped', () => {
  const s = summarizeLogs(claudeLogs());
  assert.equal(s.records, 4);
  assert.equal(s.rejected, 1);
  const byName = Object.fromEntries(s.events.map((e) => [e.name, e]));
  assert.equal(byName.user_prompt!.count, 1);
  assert.deepEqual(byName.user_prompt!.numbers, {}, 'prompt_length is named like a prompt: dropped');
  assert.equal(byName.tool_result!.count, 2);
  assert.deepEqual(byName.tool_result!.labels, { tool_name: { Bash: 1, Edit: 1 }, success: { true: 1, false: 1 }, decision: { accept: 1 } });
  assert.deepEqual(byName.tool_result!.numbers, { duration_ms: 150 });
  assert.deepEqual(byName.api_request!.numbers, { cost_usd: 0.0123, input_tokens: 1000, output_tokens: 200 });
  const text = JSON.stringify(s);
  assert.ok(!text.includes(SECRET) && !text.includes('dev@example.com'));
});

test('non-OTLP bodies are refused with a reason', () => {
  assert.throws(() => summarizeMetrics([]), OtlpError);
  assert.throws(() => summarizeMetrics({ foo: 1 }), /unknown field "foo"/);
  assert.throws(() => summarizeMetrics({ resourceMetrics: {} }), /must be an array/);
  assert.throws(() => summarizeLogs({ resourceLogs: [{ scopeLogs: 'x' }] }), /must be an array/);
  assert.deepEqual(summarizeMetrics({}).metrics, [], 'an empty request is valid');
  assert.equal(hostName('[::1]:4318'), '[::1]');
  assert.equal(hostName('LocalHost:80'), 'localhost');
});

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, unknown>;
}

function call(port: number, path: string, body: string | Buffer, headers: Record<string, string> = {}, method = 'POST'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('the OTLP receiver over real HTTP: 200 with partialSuccess, 400, 413, 415, 403, 404, 405, gzip; events carry summaries only', async (t) => {
  const s = await setup(t, { config: { otlp: { enabled: true, port: 0, maxBodyBytes: 64 * 1024 } } });
  const deadline = Date.now() + 5_000;
  while (s.api.otlpPort() === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const port = s.api.otlpPort();
  assert.ok(port, 'the receiver listens on an ephemeral port');

  const ok = await call(port, '/v1/metrics', JSON.stringify(claudeMetrics()));
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, { partialSuccess: {} });
  assert.equal(ok.headers['content-type'], 'application/json');
  const m = await s.tk.waitForEvent((e) => e.type === 'ai-monitor.otlp.metrics-received');
  assert.equal((m.data as { tool: string }).tool, 'claude');
  assert.equal((m.data as { dataPoints: number }).dataPoints, 6);

  const partial = await call(port, '/v1/metrics', JSON.stringify(claudeMetrics([{ name: 'x', gauge: { dataPoints: [{ asDouble: 'NaN?' }] } }])));
  assert.equal(partial.status, 200);
  assert.deepEqual(partial.body.partialSuccess, { rejectedDataPoints: '1', errorMessage: 'data points without a name or a numeric value were dropped' });

  const logs = await call(port, '/v1/logs', gzipSync(JSON.stringify(claudeLogs())), { 'content-encoding': 'gzip' });
  assert.equal(logs.status, 200);
  assert.deepEqual(logs.body.partialSuccess, { rejectedLogRecords: '1', errorMessage: 'log records that are not objects were dropped' });
  const l = await s.tk.waitForEvent((e) => e.type === 'ai-monitor.otlp.logs-received');
  assert.ok(!JSON.stringify(l).includes(SECRET));

  const notOtlp = await call(port, '/v1/metrics', JSON.stringify({ hello: 'world' }));
  assert.equal(notOtlp.status, 400);
  assert.equal(notOtlp.body.code, 3);
  assert.match(String(notOtlp.body.message), /unknown field "hello"/);
  assert.equal((await call(port, '/v1/logs', 'not json at all')).status, 400);
  assert.equal((await call(port, '/v1/logs', Buffer.from('not gzip'), { 'content-encoding': 'gzip' })).status, 400);

  const proto = await call(port, '/v1/metrics', Buffer.from([0x0a, 0x00]), { 'content-type': 'application/x-protobuf' });
  assert.equal(proto.status, 415);
  assert.match(String(proto.body.message), /JSON.*OTEL_EXPORTER_OTLP_PROTOCOL=http\/json/);
  assert.equal((await call(port, '/v1/metrics', '{}', { 'content-type': 'text/plain' })).status, 415);

  const big = JSON.stringify({ resourceMetrics: [], pad: 'x'.repeat(100 * 1024) });
  assert.equal((await call(port, '/v1/metrics', big)).status, 413);
  const bomb = gzipSync(Buffer.alloc(1024 * 1024, 0x20));
  assert.equal((await call(port, '/v1/metrics', bomb, { 'content-encoding': 'gzip' })).status, 413, 'a small gzip body that inflates past the limit');

  assert.equal((await call(port, '/v1/metrics', '{}', { host: 'evil.example:4318' })).status, 403, 'DNS rebinding: a foreign Host');
  assert.equal((await call(port, '/v1/metrics', '{}', { origin: 'http://evil.example' })).status, 403, 'a web page of another origin');
  assert.equal((await call(port, '/v1/metrics', '{}', { host: `localhost:${port}`, origin: `http://localhost:${port}` })).status, 200);
  assert.equal((await call(port, '/v1/traces', '{}')).status, 404);
  const get = await call(port, '/v1/metrics', '', {}, 'GET');
  assert.equal(get.status, 405);
  assert.equal(get.headers.allow, 'POST');

  assert.equal((await call(port, '/v1/logs', JSON.stringify({}))).status, 200, 'an empty request is fine');
  // Refusals are logged, rate-limited per kind and peer: many 400s make one warning line.
  for (let i = 0; i < 5; i++) await call(port, '/v1/metrics', '[]');
  const warned = s.tk.logs.filter((x) => x.level === 40 && /OTLP receiver refused a request \(400\)/.test(String(x.msg)));
  assert.equal(warned.length, 1);
  assert.equal(s.tk.events.filter((e) => e.type.startsWith('ai-monitor.otlp.')).length, 3, 'refused and empty requests emit nothing');
});

test('a port already in use is a logged warning, not a failed plugin', async (t) => {
  const first = await setup(t, { config: { otlp: { enabled: true, port: 0 } } });
  const deadline = Date.now() + 5_000;
  while (first.api.otlpPort() === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const port = first.api.otlpPort()!;
  const second = await setup(t, { config: { otlp: { enabled: true, port } } });
  while (!second.tk.logs.some((l) => l.code === 'AI_MONITOR_OTLP_LISTEN') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const line = second.tk.logs.find((l) => l.code === 'AI_MONITOR_OTLP_LISTEN');
  assert.ok(line, 'warned');
  assert.match(String(line.msg), /EADDRINUSE.*set otlp\.port/);
  assert.equal(second.api.otlpPort(), null);
  assert.ok((await second.api.scanNow()) !== undefined, 'transcripts are still read');
});
