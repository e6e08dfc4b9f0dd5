#!/usr/bin/env node
// `npm run bench`: the benchmarks, one after the other, each in its own node process (so neither
// inherits the other's heap, JIT state or open files), with one combined exit code.
//
//   ingest  test/bench/ingest.mjs  events/s through the kernel vs raw better-sqlite3 (gate ≥ 0.6×)
//   mcp     test/bench/mcp.mjs     MCP over stdio vs @modelcontextprotocol/server-everything:
//                                  tool round trips and cold start (gates in that file)
//   file-monitor, git-monitor, test-monitor, ai-monitor: each monitor against its raw baseline
//                                  (@parcel/watcher, git log --numstat, a bare pipe, JSON.parse …)
//   analyzers  test/bench/analyzers.mjs  ingest with analyzers vs without (gate: metrics ≥ 0.8×),
//                                  tool p99 and the 90-day report on a 1M-event, 90-day history
//   http-api   test/bench/http-api.mjs   /status and /metrics p99 on 1M events vs a bare node:http server
//   dashboard  test/bench/dashboard.mjs  first-load bytes and file change → dashboard latency in Chromium
//
// Usage: node test/bench/run.mjs               all, with their defaults (~10 minutes)
//        node test/bench/run.mjs mcp [flags]   one of them, with its own flags
// Environment variables (BENCH_*, BENCH_MCP_*, BENCH_ANALYZERS_*) reach them. Exits 0 when every gate passed, else
// the first non-zero exit code. Results: test/artifacts/bench-<name>.json.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BENCHES = {
  ingest: 'ingest.mjs',
  mcp: 'mcp.mjs',
  'file-monitor': 'file-monitor.mjs',
  'git-monitor': 'git-monitor.mjs',
  'test-monitor': 'test-monitor.mjs',
  'ai-monitor': 'ai-monitor.mjs',
  analyzers: 'analyzers.mjs',
  'http-api': 'http-api.mjs',
  dashboard: 'dashboard.mjs',
};

const [first, ...rest] = process.argv.slice(2);
if (first !== undefined && !(first in BENCHES)) {
  console.error(`run.mjs: name the benchmark before its flags: ${Object.keys(BENCHES).join(' | ')} (e.g. npm run bench -- mcp --calls 5000)`);
  process.exit(2);
}
const selected = first ? [first] : Object.keys(BENCHES);

const results = [];
for (const name of selected) {
  if (results.length) console.log('');
  console.log(`=== ${name} (${BENCHES[name]}) ===`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [join(here, BENCHES[name]), ...(first ? rest : [])], { stdio: 'inherit' });
  const code = r.status ?? 1;
  results.push({ name, code, seconds: Math.round((Date.now() - started) / 100) / 10, signal: r.signal });
}

console.log(`\nbench: ${results.map((r) => `${r.name} ${r.code === 0 ? 'PASS' : r.code === 1 ? 'FAIL' : `ERROR (exit ${r.code}${r.signal ? `, ${r.signal}` : ''})`} in ${r.seconds} s`).join('; ')}`);
process.exit(results.find((r) => r.code !== 0)?.code ?? 0);
