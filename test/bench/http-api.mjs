#!/usr/bin/env node
// HTTP API benchmark: GET /status and GET /metrics of the http-api plugin on a 1M-event database,
// side by side with a baseline in the same run: a bare node:http server answering a fixed small
// JSON. Each server runs in its own node process; the client (this process) sends one request at
// a time over a keep-alive agent, in rotating blocks (baseline, /status, /metrics, …) so drift on a
// shared machine hits all alike.
//
//   1. Seeds a fresh DEVFLOW_HOME with N events (default 1,000,000) over the last 30 days through
//      the kernel's own openDatabase (kernel schema) and batched inserts (test/bench/seed-log.mjs, shared with test/bench/mcp.mjs).
//   2. Starts the kernel on it with the admin and http-api plugins (port 0), and the baseline.
//   3. Warm-up, then ≥ 1000 timed requests per target: p50/p90/p99/max, and p50 ÷ the baseline's.
//
// Usage: node test/bench/http-api.mjs [--events N] [--requests R] [--warmup W] [--block B] [--home DIR] [--out FILE]
//   (or BENCH_HTTP_EVENTS, BENCH_HTTP_REQUESTS, BENCH_HTTP_WARMUP, BENCH_HTTP_BLOCK).
// Exits 1 when a target is missed: /status and /metrics p99 ≤ 10 ms.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { seedLog } from './seed-log.mjs';

const here = fileURLToPath(import.meta.url);
const root = join(dirname(here), '..', '..');
const { values: args } = parseArgs({
  options: {
    role: { type: 'string', default: 'client' }, // internal: 'kernel' | 'baseline' child processes
    events: { type: 'string', default: process.env.BENCH_HTTP_EVENTS ?? '1000000' },
    requests: { type: 'string', default: process.env.BENCH_HTTP_REQUESTS ?? '1000' },
    warmup: { type: 'string', default: process.env.BENCH_HTTP_WARMUP ?? '200' },
    block: { type: 'string', default: process.env.BENCH_HTTP_BLOCK ?? '50' },
    out: { type: 'string', default: join(root, 'test', 'artifacts', 'bench-http-api.json') },
    home: { type: 'string' },
  },
});
const TARGETS = { statusP99Ms: 10, metricsP99Ms: 10 };
const DAYS = 30;

// ---------------------------------------------------------------------------------------------

function child(role, home) {
  const p = spawn(process.execPath, [here, '--role', role, ...(home ? ['--home', home] : [])], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  p.stderr.on('data', (c) => (stderr.length < 20_000 ? (stderr += c) : undefined));
  const ready = new Promise((resolve, reject) => {
    let out = '';
    p.stdout.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
    });
    p.once('exit', (code) => reject(new Error(`${role} exited with ${code} before it was ready\n${stderr}`)));
  });
  return { ready, stop: () => new Promise((r) => (p.once('exit', r), p.stdin.end())) };
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function get(url) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(url, { agent }, (res) => {
      let bytes = 0;
      res.on('data', (c) => (bytes += c.length));
      res.on('end', () => (res.statusCode === 200 ? resolve({ ms: performance.now() - t0, bytes }) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}


async function main() {
  const { fmtInt, gc, latencyStats: stats, machine, table } = await import('./lib.mjs');
  const EVENTS = Number(args.events);
  const REQUESTS = Number(args.requests);
  const WARMUP = Number(args.warmup);
  const BLOCK = Number(args.block);
  const info = machine();
  const home = args.home ?? mkdtempSync(join(tmpdir(), 'devflow-bench-http-'));
  const dbPath = join(home, 'devflow.db');
  const reuse = args.home !== undefined && existsSync(dbPath);
  const servers = [];
  let failed = false;
  try {
    console.log('HTTP API benchmark: GET /status and GET /metrics of the http-api plugin (kernel + admin + http-api) vs a bare node:http server answering a fixed small JSON');
    console.log(`${info.date}  node ${info.node}  ${info.cpu} × ${info.cores} cores`);
    mkdirSync(home, { recursive: true });
    const t = performance.now();
    if (!reuse) seedLog(dbPath, EVENTS, DAYS);
    console.log(`${reuse ? `reusing ${dbPath}` : `seeded ${fmtInt(EVENTS)} events over ${DAYS} days in ${((performance.now() - t) / 1000).toFixed(1)} s`} (${Math.round(statSync(dbPath).size / 2 ** 20)} MiB)`);
    const kernel = child('kernel', home);
    const baseline = child('baseline');
    servers.push(kernel, baseline);
    const [k, b] = await Promise.all([kernel.ready, baseline.ready]);
    console.log(`kernel ${k.url} (${k.plugins.join(', ')}); baseline ${b.url}`);
    const targets = { baseline: `${b.url}/`, '/status': `${k.url}/status`, '/metrics': `${k.url}/metrics` };
    const status = JSON.parse(await new Promise((resolve, reject) => request(targets['/status'], { agent }, (res) => { let s = ''; res.on('data', (c) => (s += c)); res.on('end', () => resolve(s)); }).on('error', reject).end()));
    console.log(`/status reports ${fmtInt(status.database.events)} events, ${Math.round(status.database.sizeBytes / 2 ** 20)} MiB`);
    console.log(`${fmtInt(REQUESTS)} timed requests per target after ${WARMUP} warm-up, one at a time over one keep-alive connection per server, blocks of ${BLOCK}\n`);

    for (const url of Object.values(targets)) for (let i = 0; i < WARMUP; i++) await get(url);
    gc();
    const samples = Object.fromEntries(Object.keys(targets).map((n) => [n, []]));
    const sizes = {};
    for (let done = 0; done < REQUESTS; done += BLOCK) {
      for (const [name, url] of Object.entries(targets)) {
        for (let i = 0; i < Math.min(BLOCK, REQUESTS - done); i++) {
          const r = await get(url);
          samples[name].push(r.ms);
          sizes[name] = r.bytes;
        }
      }
    }
    const summary = Object.fromEntries(Object.entries(samples).map(([n, s]) => [n, { ...stats(s), bytes: sizes[n] }]));
    const base = summary.baseline.p50;
    console.log(table(
      ['target', 'n', 'bytes', 'p50', 'p90', 'p99', 'max', 'p50 ÷ baseline'],
      Object.entries(summary).map(([n, s]) => [n, String(s.n), fmtInt(s.bytes), `${s.p50.toFixed(3)} ms`, `${s.p90.toFixed(3)} ms`, `${s.p99.toFixed(3)} ms`, `${s.max.toFixed(3)} ms`, (s.p50 / base).toFixed(2)]),
    ));
    const checks = [
      ['/status p99', summary['/status'].p99, TARGETS.statusP99Ms],
      ['/metrics p99', summary['/metrics'].p99, TARGETS.metricsP99Ms],
    ].map(([name, value, target]) => ({ name, value, target, pass: value <= target }));
    console.log('');
    for (const c of checks) console.log(`${c.name} ${c.value.toFixed(3)} ms; target ≤ ${c.target} ms: ${c.pass ? 'PASS' : 'FAIL'}`);
    failed = checks.some((c) => !c.pass);
    mkdirSync(dirname(args.out), { recursive: true });
    writeFileSync(args.out, `${JSON.stringify({ machine: info, events: status.database.events, requests: REQUESTS, warmup: WARMUP, block: BLOCK, plugins: k.plugins, results: summary, targets: TARGETS, checks, pass: !failed }, null, 2)}\n`);
    console.log(`\nwrote ${args.out}`);
  } catch (e) {
    console.error(e);
    failed = true;
  } finally {
    agent.destroy();
    await Promise.all(servers.map((s) => s.stop()));
    if (!args.home) rmSync(home, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// Child processes: the kernel with http-api, and the baseline. Each prints its URL as one JSON line.
async function baselineServer() {
  const body = JSON.stringify({ status: 'ok', version: '1.0.0', uptimeSeconds: 1 });
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`));
  process.stdin.on('end', () => process.exit(0)).resume();
}

async function kernelServer() {
  const { Kernel } = await import('../../core/dist/src/kernel.js');
  const httpApi = (await import('../../plugins/http-api/dist/src/index.js')).default;
  const home = args.home;
  const kernel = Kernel.open({
    config: { plugins: { admin: { enabled: true }, 'http-api': { config: { port: 0 } } }, logging: { level: 'warn' }, kernel: { watchConfig: false } },
    plugins: [httpApi],
    databasePath: join(home, 'devflow.db'),
    cwd: home,
    env: { ...process.env, DEVFLOW_HOME: home },
    watchConfig: false,
  });
  const report = await kernel.start();
  if (report.problems.length) throw new Error(report.problems.map((p) => p.message).join('\n'));
  const api = kernel.pluginApi('http-api');
  const until = Date.now() + 10_000;
  while (!api.url() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  if (!api.url()) throw new Error('http-api did not listen within 10 s');
  process.stdout.write(`${JSON.stringify({ url: api.url(), plugins: kernel.status().plugins.map((p) => `${p.id}:${p.state}`) })}\n`);
  process.stdin.on('end', async () => (await kernel.stop(), process.exit(0))).resume();
}


if (args.role === 'baseline') await baselineServer();
else if (args.role === 'kernel') await kernelServer();
else await main();
