#!/usr/bin/env node
// ai-monitor benchmark: transcript ingest, idle scans, the quick poll after one append, and the
// OTLP receiver — each next to a baseline doing the bare minimum of the same work in the same run
// (read + split + JSON.parse; readdir + stat; a bare receiver storing one event per request), so
// the ratio is what counts.
//
// Usage: node test/bench/ai-monitor.mjs [--files N] [--records R] [--requests Q]
//   Writes test/artifacts/bench-ai-monitor.json; exits 1 when a target is missed.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kernel } from '@devflow/core';
import { definePlugin } from '@devflow/plugin-sdk';
import { createAiMonitor } from '../../plugins/ai-monitor/dist/src/index.js';
import { fmtInt, gc, machine, median, table } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: args } = parseArgs({
  options: {
    files: { type: 'string', default: process.env.BENCH_FILES ?? '100' },
    records: { type: 'string', default: process.env.BENCH_RECORDS ?? '400' },
    requests: { type: 'string', default: process.env.BENCH_REQUESTS ?? '2000' },
  },
});
const FILES = Number(args.files);
const RECORDS = Number(args.records);
const REQUESTS = Number(args.requests);
const TARGETS = { ingestRatio: 0.33, idleScanRatio: 6, quickPollMs: 25, otlpRatio: 0.6 };
const ROUNDS = 5;

const dir = mkdtempSync(join(tmpdir(), 'bench-ai-'));
const project = join(dir, 'app');
mkdirSync(project);
const tRoot = join(dir, 'claude');
const now = Date.now();

// Realistic Claude Code records: prompts, assistant text, tool_use, tool results with file content.
const lorem = 'const value = compute(input, options); // '.repeat(8);
function record(file, i, ts) {
  const base = { parentUuid: null, isSidechain: false, userType: 'external', cwd: project, sessionId: `s-${file}`, version: '2.0.76', gitBranch: 'main', uuid: `${file}-${i}`, timestamp: new Date(ts).toISOString() };
  const usage = { input_tokens: 12, cache_creation_input_tokens: 300, cache_read_input_tokens: 20_000 + i, output_tokens: 150, service_tier: 'standard' };
  switch (i % 4) {
    case 0:
      return { ...base, type: 'user', message: { role: 'user', content: `Please refactor the parser and keep the tests green. ${lorem.slice(0, 200)}` } };
    case 1:
      return { ...base, type: 'assistant', requestId: `r${i}`, message: { model: 'claude-sonnet-4-5', id: `m-${file}-${i}`, type: 'message', role: 'assistant', content: [{ type: 'text', text: lorem.repeat(4) }], usage } };
    case 2:
      return { ...base, type: 'assistant', requestId: `r${i}`, message: { model: 'claude-sonnet-4-5', id: `m-${file}-${i}`, type: 'message', role: 'assistant', content: [{ type: 'tool_use', id: `t-${file}-${i}`, name: i % 8 === 2 ? 'Read' : 'mcp__github__get_issue', input: { file_path: '/src/parser.ts' } }], usage } };
    default:
      return { ...base, type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `t-${file}-${i - 1}`, content: lorem.repeat(10) }] }, toolUseResult: { type: 'text' } };
  }
}
const paths = [];
let bytes = 0;
for (let f = 0; f < FILES; f++) {
  const p = join(tRoot, `-bench-${f % 10}`, `s-${f}.jsonl`);
  mkdirSync(dirname(p), { recursive: true });
  const text = Array.from({ length: RECORDS }, (_, i) => JSON.stringify(record(f, i, now - 3_600_000 + i * 1000))).join('\n') + '\n';
  writeFileSync(p, text);
  bytes += text.length;
  paths.push(p);
}
const MB = bytes / 2 ** 20;

// Baseline 1: the least any JSONL reader does — read, split, JSON.parse every line.
function rawIngest() {
  let n = 0;
  for (const p of paths) for (const line of readFileSync(p, 'utf8').split('\n')) if (line) (JSON.parse(line), n++);
  return n;
}
// Baseline 2: walk the tree and stat every file.
function rawWalk() {
  let n = 0;
  for (const d of readdirSync(tRoot)) for (const f of readdirSync(join(tRoot, d))) (statSync(join(tRoot, d, f)), n++);
  return n;
}

const timeIt = async (fn) => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

const results = {};
function kernelOptions(db, pluginConfig) {
  return {
    config: {
      projects: [project],
      plugins: {
        'ai-monitor': {
          config: { sources: { claude: { paths: [tRoot] }, codex: { enabled: false }, gemini: { enabled: false }, qwen: { enabled: false } }, processes: { enabled: false }, pollIntervalMs: 600_000, scanIntervalMs: 3_600_000, pollBudgetBytes: 1 << 30, ...pluginConfig },
        },
      },
      kernel: { watchConfig: false },
    },
    plugins: [createAiMonitor()],
    databasePath: join(dir, db),
    cwd: dir,
    env: { ...process.env, DEVFLOW_HOME: dir },
    logLevel: 'silent',
    watchConfig: false,
  };
}

// Cold ingest, alternating with the raw baseline: a fresh database each round; the kernel starts on
// an empty root, then the transcripts appear and one scan reads them all (kernel start not timed).
const hidden = `${tRoot}.hidden`;
const rawRounds = [];
const aiRounds = [];
let k2;
let api2;
for (let round = 0; round < ROUNDS; round++) {
  gc();
  rawRounds.push(await timeIt(rawIngest));
  renameSync(tRoot, hidden);
  const k = Kernel.open(kernelOptions(`ingest-${round}.db`));
  await k.start();
  const api = k.pluginApi('ai-monitor');
  await api.scanNow();
  renameSync(hidden, tRoot);
  gc();
  aiRounds.push(await timeIt(() => api.scanNow()));
  if (api.stats().records !== FILES * RECORDS) throw new Error(`expected ${FILES * RECORDS} records, read ${api.stats().records}`);
  if (round < ROUNDS - 1) await k.stop();
  else (k2 = k), (api2 = api);
}
const rawMs = median(rawRounds);
const ingestMs = median(aiRounds);
results.ingest = { files: FILES, records: FILES * RECORDS, mb: MB, rounds: { rawMs: rawRounds, aiMs: aiRounds }, rawMs, aiMs: ingestMs, rawMBs: MB / (rawMs / 1000), aiMBs: MB / (ingestMs / 1000), ratio: rawMs / ingestMs };

// Idle full scan (nothing changed) against a bare walk + stat.
const walkMs = median(await Promise.all([1, 2, 3, 4, 5].map(() => timeIt(rawWalk))));
const idle = [];
for (let i = 0; i < 7; i++) idle.push(await timeIt(() => api2.scanNow()));
results.idleScan = { files: FILES, rawWalkMs: walkMs, aiMs: median(idle), ratio: median(idle) / walkMs };

// Quick poll after one append, with one active file among cold ones.
const old = (now - 2 * 86_400_000) / 1000;
for (const p of paths.slice(1)) utimesSync(p, old, old);
await api2.scanNow();
const hot = paths[0];
const polls = [];
const rawPolls = [];
for (let i = 0; i < 21; i++) {
  const line = JSON.stringify(record(0, RECORDS + 4 * i, Date.now())) + '\n';
  appendFileSync(hot, line);
  polls.push(await timeIt(() => api2.pollNow()));
  appendFileSync(hot, line);
  rawPolls.push(
    await timeIt(async () => {
      const st = await stat(hot);
      const fd = readFileSync(hot);
      JSON.parse(fd.subarray(st.size - Buffer.byteLength(line), st.size - 1).toString());
    }),
  );
}
results.quickPoll = { rawMs: median(rawPolls), aiMs: median(polls), p90Ms: [...polls].sort((a, b) => a - b)[Math.floor(polls.length * 0.9)] };
await k2.stop();

// OTLP receiver.
const metrics = JSON.stringify({
  resourceMetrics: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] },
      scopeMetrics: [
        {
          scope: { name: 'com.anthropic.claude_code' },
          metrics: ['input', 'output', 'cacheRead', 'cacheCreation'].map((type) => ({
            name: 'claude_code.token.usage',
            unit: 'tokens',
            sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ attributes: [{ key: 'type', value: { stringValue: type } }, { key: 'model', value: { stringValue: 'claude-sonnet-4-5' } }, { key: 'user.email', value: { stringValue: 'dev@example.com' } }], asInt: '1234' }] },
          })),
        },
      ],
    },
  ],
});
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const post = (port) =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/metrics', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(metrics);
  });
const burst = async (port, n) => {
  const t = performance.now();
  for (let i = 0; i < n; i++) await post(port);
  return n / ((performance.now() - t) / 1000);
};
// Baseline: a bare receiver in a plugin that parses the body and stores one event per request
// (what any receiver that keeps something pays), so the ratio shows ai-monitor's own overhead.
let barePort;
const benchPlugin = definePlugin({
  id: 'bench-otlp',
  version: '1.0.0',
  kernel: '^1.0.0',
  async start(ctx) {
    const server = createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString());
        void ctx.events.emit('bench-otlp.request.received', { resources: body.resourceMetrics.length });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"partialSuccess":{}}');
      });
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    barePort = server.address().port;
    ctx.onStop(() => new Promise((r) => (server.close(() => r()), server.closeAllConnections())));
  },
});
const kb = Kernel.open({ ...kernelOptions('bare.db'), plugins: [benchPlugin], config: { projects: [project], plugins: { 'bench-otlp': true }, kernel: { watchConfig: false } } });
await kb.start();
const k3 = Kernel.open(kernelOptions('otlp.db', { sources: { claude: { enabled: false }, codex: { enabled: false }, gemini: { enabled: false }, qwen: { enabled: false } }, otlp: { enabled: true, port: 0 } }));
await k3.start();
const api3 = k3.pluginApi('ai-monitor');
const deadline = Date.now() + 5000;
while (api3.otlpPort() === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
const aiPort = api3.otlpPort();
await burst(barePort, 200);
await burst(aiPort, 200);
const bareRounds = [];
const aiRpsRounds = [];
for (let r = 0; r < 2 * ROUNDS; r++) {
  bareRounds.push(await burst(barePort, Math.ceil(REQUESTS / (2 * ROUNDS))));
  aiRpsRounds.push(await burst(aiPort, Math.ceil(REQUESTS / (2 * ROUNDS))));
}
await kb.stop();
await k3.stop();
agent.destroy();
const bareRps = median(bareRounds);
const aiRps = median(aiRpsRounds);
results.otlp = { requests: REQUESTS, rounds: { bareRps: bareRounds, aiRps: aiRpsRounds }, bareRps, aiRps, ratio: aiRps / bareRps };
rmSync(dir, { recursive: true, force: true });

const checks = [
  ['transcript ingest (MB/s)', results.ingest.rawMBs.toFixed(1), results.ingest.aiMBs.toFixed(1), `${results.ingest.ratio.toFixed(2)}× of raw`, `≥ ${TARGETS.ingestRatio}× raw`, results.ingest.ratio >= TARGETS.ingestRatio],
  [`idle full scan of ${FILES} files (ms)`, results.idleScan.rawWalkMs.toFixed(2), results.idleScan.aiMs.toFixed(2), `${results.idleScan.ratio.toFixed(1)}× of raw`, `≤ ${TARGETS.idleScanRatio}× raw`, results.idleScan.ratio <= TARGETS.idleScanRatio],
  ['quick poll after 1 append (ms, p50)', results.quickPoll.rawMs.toFixed(2), results.quickPoll.aiMs.toFixed(2), `p90 ${results.quickPoll.p90Ms.toFixed(2)} ms`, `p50 ≤ ${TARGETS.quickPollMs} ms`, results.quickPoll.aiMs <= TARGETS.quickPollMs],
  ['OTLP metrics requests/s', fmtInt(results.otlp.bareRps), fmtInt(results.otlp.aiRps), `${results.otlp.ratio.toFixed(2)}× of bare+store`, `≥ ${TARGETS.otlpRatio}× bare+store`, results.otlp.ratio >= TARGETS.otlpRatio],
];
console.log(`ai-monitor benchmark — ${FILES} Claude transcripts × ${RECORDS} records (${MB.toFixed(1)} MB), ${REQUESTS} OTLP requests`);
console.log(table(['measure', 'baseline', 'ai-monitor', 'ratio', 'target', 'ok'], checks.map((c) => [...c.slice(0, 5), c[5] ? 'yes' : 'NO'])));
const out = join(root, 'test', 'artifacts', 'bench-ai-monitor.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ machine: machine(), targets: TARGETS, results, passed: checks.every((c) => c[5]) }, null, 2));
console.log(`wrote ${out}`);
process.exit(checks.every((c) => c[5]) ? 0 : 1);
