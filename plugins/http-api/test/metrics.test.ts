import assert from 'node:assert/strict';
import { test } from 'node:test';
import parse from 'parse-prometheus-text-format';
import { request, startApi } from './helpers.js';

test('/metrics is Prometheus text: events by type, ingest, tool and request histograms, plugin states, database, process', async (t) => {
  const a = await startApi(t);
  for (let i = 0; i < 3; i++) await a.emit('metric.sampled', { i });
  await a.emit('other.sampled', {});
  const call = await request(`${a.url}/api/v1/tools/devflow_status`, { method: 'POST', token: a.token });
  assert.equal(call.status, 200);
  await request(`${a.url}/api/v1/tools/devflow_events_query`, { method: 'POST', token: a.token, headers: { 'content-type': 'application/json' }, body: '{"limit":-1}' });
  await request(`${a.url}/health`);

  const r = await request(`${a.url}/metrics`);
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  const families = new Map(parse(r.text).map((f) => [f.name, f]));
  const need = {
    devflow_events_ingested_total: 'COUNTER',
    devflow_ingest_rate: 'GAUGE',
    devflow_ingest_queue_depth: 'GAUGE',
    devflow_tool_call_duration_seconds: 'HISTOGRAM',
    devflow_http_request_duration_seconds: 'HISTOGRAM',
    devflow_plugin_up: 'GAUGE',
    devflow_database_size_bytes: 'GAUGE',
    devflow_database_events: 'GAUGE',
    process_cpu_seconds_total: 'COUNTER',
    process_resident_memory_bytes: 'GAUGE',
    nodejs_eventloop_lag_seconds: 'GAUGE',
  } as const;
  for (const [name, type] of Object.entries(need)) assert.equal(families.get(name)?.type, type, `${name} is a ${type}`);

  const byType = new Map(families.get('devflow_events_ingested_total')!.metrics.map((m) => [m.labels?.type, Number(m.value)]));
  assert.equal(byType.get('probe.metric.sampled'), 3);
  assert.equal(byType.get('probe.other.sampled'), 1);
  assert.ok(Number(families.get('devflow_ingest_rate')!.metrics[0]!.value) > 0);
  assert.ok(Number(families.get('devflow_database_events')!.metrics[0]!.value) >= 4);
  assert.ok(Number(families.get('devflow_database_size_bytes')!.metrics[0]!.value) > 0);

  // parse-prometheus-text-format folds a labelled histogram into one sample and drops its labels
  // (its flattenMetrics), so the histograms' label sets are read from the sample lines themselves.
  const sample = (name: string, labels: Record<string, string>) => {
    const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    const line = r.text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  assert.ok(families.get('devflow_tool_call_duration_seconds')!.metrics[0]?.buckets?.['+Inf'], 'buckets up to +Inf');
  assert.equal(sample('devflow_tool_call_duration_seconds_count', { tool: 'devflow_status', outcome: 'ok' }), 1);
  assert.equal(sample('devflow_tool_call_duration_seconds_bucket', { le: '+Inf', tool: 'devflow_status', outcome: 'ok' }), 1);
  assert.equal(sample('devflow_tool_call_duration_seconds_count', { tool: 'devflow_events_query' }), undefined, 'calls refused by input validation never reach afterToolCall');
  assert.equal(sample('devflow_http_request_duration_seconds_count', { route: '/api/v1/tools/:name', method: 'POST', status: '200' }), 1, 'labelled by route pattern, not raw path');
  assert.equal(sample('devflow_http_request_duration_seconds_count', { route: '/api/v1/tools/:name', method: 'POST', status: '400' }), 1);
  assert.equal(sample('devflow_http_request_duration_seconds_count', { route: '/health', method: 'GET', status: '200' }), 1);

  const up = families.get('devflow_plugin_up')!.metrics;
  assert.deepEqual(up.find((m) => m.labels?.plugin === 'http-api'), { labels: { plugin: 'http-api', state: 'started' }, value: '1' });
  assert.ok(up.some((m) => m.labels?.plugin === 'admin' && m.value === '1'));

  // a disabled plugin shows as 0 with its state
  await a.tk.kernel.setPluginEnabled('probe', false, a.tk.kernel.localPrincipal);
  const after = parse((await request(`${a.url}/metrics`)).text);
  const probeUp = after.find((f) => f.name === 'devflow_plugin_up')!.metrics.filter((m) => m.labels?.plugin === 'probe');
  assert.deepEqual(probeUp, [{ labels: { plugin: 'probe', state: 'disabled' }, value: '0' }]);
});
