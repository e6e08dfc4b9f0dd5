#!/usr/bin/env node
// MCP benchmark: DevFlow's MCP server over stdio against the reference server
// `@modelcontextprotocol/server-everything`, side by side in one run (numbers drift on shared
// machines, so only ratios within one run mean much; the p99 target is absolute).
//
//   1. Seeds a fresh DEVFLOW_HOME with N events (default 1,000,000) over the last 30 days, through
//      the kernel's own openDatabase (kernel schema) and batched better-sqlite3 inserts.
//   2. Cold start: spawn → initialize → tools/list answered, for `devflow mcp` exactly as a client launches it (the
//      default plugins, on that database) and for the reference server, alternating, median.
//   3. Tool round trips: one SDK Client per server over stdio, warm-up, then ≥ 1000 timed calls
//      each of `devflow_status`, `devflow_events_query` and the reference's `echo`, in rotating
//      blocks so drift hits all alike, plus, for each DevFlow tool, the reference's echo moving the
//      same bytes (what the bytes alone cost). p50/p90/p99/max, p50 ÷ the plain echo's p50 (the
//      gate) and p50 ÷ the same-bytes echo's p50 (information: DevFlow's own work, like for like).
//
// Both servers are started as `node <file>` by the same StdioClientTransport, so spawn costs match.
// Usage: node test/bench/mcp.mjs [--events N] [--calls C] [--warmup W] [--block B] [--cold R] [--out FILE]
//   (or BENCH_MCP_EVENTS, BENCH_MCP_CALLS, BENCH_MCP_WARMUP, BENCH_MCP_BLOCK, BENCH_MCP_COLD).
// Exits 1 when a target is missed (see TARGETS); `npm run bench` runs it after the ingest bench.
// To profile the DevFlow side: BENCH_MCP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (node flags
// for the devflow processes only; each writes a profile when it exits). --home DIR keeps and
// reuses a seeded DEVFLOW_HOME between runs.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { fmtInt, gc, latencyStats as stats, machine, median, table } from './lib.mjs';
import { countWindow, seedLog } from './seed-log.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: process.env.BENCH_MCP_EVENTS ?? '1000000' },
    calls: { type: 'string', default: process.env.BENCH_MCP_CALLS ?? '2000' },
    warmup: { type: 'string', default: process.env.BENCH_MCP_WARMUP ?? '200' },
    block: { type: 'string', default: process.env.BENCH_MCP_BLOCK ?? '100' },
    cold: { type: 'string', default: process.env.BENCH_MCP_COLD ?? '15' },
    out: { type: 'string', default: join(root, 'test', 'artifacts', 'bench-mcp.json') },
    home: { type: 'string' }, // reuse this DEVFLOW_HOME (seeded on first use, kept afterwards)
  },
});
const EVENTS = Number(args.events);
const CALLS = Number(args.calls); // timed calls per tool
const WARMUP = Number(args.warmup); // untimed calls per tool before timing
const BLOCK = Number(args.block); // calls per tool in a row before the next tool's turn
const COLD = Number(args.cold); // cold starts per server
const DAYS = 30;
const TARGETS = { p50VsReference: 2, p99Ms: 20, coldStartVsReference: 1.3 };

const DEVFLOW_BIN = join(root, 'core', 'bin', 'devflow.js');
// node flags for the devflow processes only (Node 20 refuses --cpu-prof in NODE_OPTIONS)
const DEVFLOW_NODE_ARGS = (process.env.BENCH_MCP_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const REFERENCE_PKG = '@modelcontextprotocol/server-everything';
const require = createRequire(import.meta.url);
const refPkgFile = require.resolve(`${REFERENCE_PKG}/package.json`);
const refPkg = JSON.parse(readFileSync(refPkgFile, 'utf8'));
const REFERENCE_BIN = join(dirname(refPkgFile), typeof refPkg.bin === 'string' ? refPkg.bin : Object.values(refPkg.bin)[0]);
function packageVersion(entry, name) {
  for (let dir = dirname(require.resolve(entry)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.name === name) return pkg.version;
    } catch {
      /* no package.json here */
    }
  }
  return 'unknown';
}
const sdkVersion = packageVersion('@modelcontextprotocol/sdk/client/index.js', '@modelcontextprotocol/sdk');

const EVENTS_QUERY = { types: ['bench.*'], since: '24h', limit: 20 };

// The event log: test/bench/seed-log.mjs (shared with the HTTP API benchmark).

// ---------------------------------------------------------------------------------------------
// Servers. Same transport, same `node <file>` spawn; stderr is kept to show if something fails.
const SERVERS = {
  devflow: (home) => ({
    command: process.execPath,
    args: [...DEVFLOW_NODE_ARGS, DEVFLOW_BIN, 'mcp'],
    cwd: home, // no devflow.config.json and no git work tree here: the embedded defaults
    env: { DEVFLOW_HOME: home },
  }),
  // The same defaults plus bench_echo (test/bench/fixtures/bench-echo-plugin.mjs), for the round trips.
  devflowTools: (home) => ({
    command: process.execPath,
    args: [...DEVFLOW_NODE_ARGS, DEVFLOW_BIN, 'mcp', '--config', join(home, 'bench-tools.config.json')],
    cwd: home,
    env: { DEVFLOW_HOME: home },
  }),
  reference: (home) => ({ command: process.execPath, args: [REFERENCE_BIN, 'stdio'], cwd: home, env: {} }),
};

/** The config of the tool round-trip server: the default plugins and the bench_echo fixture. */
async function writeToolsConfig(home) {
  const { DEFAULT_ENABLED } = await import('../../core/dist/src/plugins/first-party.js');
  const plugins = Object.fromEntries(DEFAULT_ENABLED.map((id) => [id, { enabled: true }]));
  plugins[join(root, 'test', 'bench', 'fixtures', 'bench-echo-plugin.mjs')] = { enabled: true };
  writeFileSync(join(home, 'bench-tools.config.json'), JSON.stringify({ plugins, mcp: { profile: 'all' } }, null, 2));
}

async function connect(name, home) {
  const transport = new StdioClientTransport({ ...SERVERS[name](home), stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (c) => {
    if (stderr.length < 20_000) stderr += c;
  });
  const client = new Client({ name: 'devflow-bench', version: '1.0.0' });
  try {
    await client.connect(transport);
  } catch (e) {
    throw new Error(`${name}: connect failed: ${e.message}\n${stderr}`);
  }
  // When the tools/list answer arrives, before the SDK client processes it (it compiles a validator
  // for every tool's outputSchema, client-side work that depends on the client).
  const arrival = { at: 0 };
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    if (!arrival.at && message?.result && Array.isArray(message.result.tools)) arrival.at = performance.now();
    deliver?.(message, extra);
  };
  return { client, stderr: () => stderr, arrival };
}

/** One cold start: spawn → initialize answered → tools/list answered; then close it. */
async function coldStart(name, home) {
  const t0 = performance.now();
  const { client, stderr, arrival } = await connect(name, home);
  const tInit = performance.now();
  const { tools } = await client.listTools();
  const tList = performance.now();
  await client.close();
  if (!tools.length) throw new Error(`${name}: tools/list came back empty\n${stderr()}`);
  return { initializeMs: tInit - t0, toolsListMs: arrival.at - t0, clientDoneMs: tList - t0, tools: tools.length };
}

// ---------------------------------------------------------------------------------------------
const ms = (x) => x.toFixed(3);
const ratio = (a, b) => Math.round((a / b) * 1000) / 1000;

// ---------------------------------------------------------------------------------------------
const started = performance.now();
const info = machine();
const home = args.home ?? mkdtempSync(join(tmpdir(), 'devflow-bench-mcp-'));
const dbPath = join(home, 'devflow.db');
const reuse = args.home !== undefined && existsSync(dbPath);
let failed = false;
try {
  console.log(`MCP benchmark: devflow mcp (default plugins and tool profile, as Claude Desktop launches it) vs ${REFERENCE_PKG}@${refPkg.version} (echo), over stdio, SDK client ${sdkVersion}`);
  console.log(`${info.date}  node ${info.node}  ${info.cpu} × ${info.cores} cores`);
  console.log(`${fmtInt(EVENTS)} events over ${DAYS} days; ${fmtInt(CALLS)} timed calls per tool after ${WARMUP} warm-up, blocks of ${BLOCK}; ${COLD} cold starts per server\n`);

  const t = performance.now();
  mkdirSync(home, { recursive: true });
  const seeded = reuse ? countWindow(dbPath) : seedLog(dbPath, EVENTS, DAYS);
  const seedSeconds = (performance.now() - t) / 1000;
  const seedLine = reuse ? `reusing ${dbPath}` : `seeded ${fmtInt(EVENTS)} events in ${seedSeconds.toFixed(1)} s`;
  console.log(`${seedLine} (${Math.round(statSync(dbPath).size / 2 ** 20)} MiB; ${fmtInt(seeded.inWindow)} bench.* events in the last 24 h)`);

  // --- cold start --------------------------------------------------------------------------
  // One untimed start of each first (page cache, the kernel's first open of the seeded file).
  for (const name of ['devflow', 'reference']) await coldStart(name, home);
  const cold = { devflow: [], reference: [] };
  for (let rep = 0; rep < COLD; rep++) {
    const order = rep % 2 ? ['reference', 'devflow'] : ['devflow', 'reference'];
    for (const name of order) {
      gc();
      cold[name].push(await coldStart(name, home));
    }
  }
  const coldSummary = Object.fromEntries(
    Object.entries(cold).map(([name, runs]) => [
      name,
      {
        tools: runs[0].tools,
        initializeMs: { median: Math.round(median(runs.map((r) => r.initializeMs)) * 10) / 10, min: Math.round(Math.min(...runs.map((r) => r.initializeMs)) * 10) / 10 },
        toolsListMs: {
          median: Math.round(median(runs.map((r) => r.toolsListMs)) * 10) / 10,
          min: Math.round(Math.min(...runs.map((r) => r.toolsListMs)) * 10) / 10,
          max: Math.round(Math.max(...runs.map((r) => r.toolsListMs)) * 10) / 10,
        },
        clientDoneMs: { median: Math.round(median(runs.map((r) => r.clientDoneMs)) * 10) / 10 },
        runsMs: runs.map((r) => Math.round(r.toolsListMs * 10) / 10),
      },
    ]),
  );
  const coldRatio = ratio(coldSummary.devflow.toolsListMs.median, coldSummary.reference.toolsListMs.median);
  const coldPass = coldRatio <= TARGETS.coldStartVsReference;
  console.log(`\ncold start (spawn → initialize → tools/list answered), ${COLD} each, alternating:\n${table(
    ['server', 'tools', 'initialize med', 'tools/list answered med', 'min', 'max', '(info) SDK client done med'],
    Object.entries(coldSummary).map(([name, s]) => [name, String(s.tools), `${s.initializeMs.median.toFixed(1)} ms`, `${s.toolsListMs.median.toFixed(1)} ms`, `${s.toolsListMs.min.toFixed(1)} ms`, `${s.toolsListMs.max.toFixed(1)} ms`, `${s.clientDoneMs.median.toFixed(1)} ms`]),
  )}`);
  console.log('(the SDK client compiles a validator for each listed outputSchema after the answer arrives: client-side work, shown for information)');
  console.log(`devflow/reference cold start ${coldRatio.toFixed(3)}; target ≤ ${TARGETS.coldStartVsReference}: ${coldPass ? 'PASS' : 'FAIL'}`);

  // --- tool round trips ---------------------------------------------------------------------
  await writeToolsConfig(home);
  const devflow = await connect('devflowTools', home);
  const reference = await connect('reference', home);
  const dfTools = (await devflow.client.listTools()).tools.map((x) => x.name);
  const refTools = (await reference.client.listTools()).tools.map((x) => x.name);
  for (const [have, want] of [[dfTools, 'devflow_status'], [dfTools, 'devflow_events_query'], [dfTools, 'bench_echo'], [refTools, 'echo']]) {
    if (!have.includes(want)) throw new Error(`tool ${want} missing; listed: ${have.join(', ')}`);
  }
  // Each DevFlow tool is also compared with the reference's echo moving the same bytes: a message of
  // half the tool's answer goes to the server and comes back, so as many bytes cross the pipes and
  // go through JSON.parse and the SDK's schemas as for the tool call (whose request is tiny). What
  // is left between the two is DevFlow's own work; an answer of N KB cannot come back faster than
  // N KB of echo. The gate stays the issue's: the plain "hello" echo.
  const sizeOf = async (params) => Buffer.byteLength(JSON.stringify(await devflow.client.callTool(params)));
  const matched = async (key, params) => {
    const bytes = await sizeOf(params);
    const message = 'x'.repeat(Math.max(1, Math.round(bytes / 2)));
    return { key: `reference.echo_as_${key}`, label: `reference echo, ${(message.length / 1024).toFixed(1)} KB message (bytes as ${key})`, server: reference, gated: false, matchedTo: key, params: { name: 'echo', arguments: { message } } };
  };
  const CASES = [
    { key: 'reference.echo', label: 'reference echo "hello"', server: reference, gated: false, params: { name: 'echo', arguments: { message: 'hello' } } },
    { key: 'devflow.bench_echo', label: 'devflow bench_echo "hello" (the tool path alone)', server: devflow, gated: true, params: { name: 'bench_echo', arguments: { message: 'hello' } } },
    { key: 'devflow_status', label: 'devflow_status', server: devflow, gated: true, params: { name: 'devflow_status', arguments: {} } },
    { key: 'devflow_events_query', label: `devflow_events_query ${JSON.stringify(EVENTS_QUERY)}`, server: devflow, gated: true, params: { name: 'devflow_events_query', arguments: EVENTS_QUERY } },
  ];
  CASES.push(await matched('devflow_status', CASES[2].params), await matched('devflow_events_query', CASES[3].params));
  const answerBytes = {};
  const check = (c, result) => {
    if (result.isError) throw new Error(`${c.key} failed: ${JSON.stringify(result.content).slice(0, 500)}\n${c.server.stderr()}`);
    if (c.key === 'devflow_events_query' && result.structuredContent?.events?.length !== EVENTS_QUERY.limit) throw new Error(`${c.key}: expected ${EVENTS_QUERY.limit} events, got ${result.structuredContent?.events?.length}`);
    if (c.key === 'devflow_status' && !(result.structuredContent?.database?.events >= EVENTS)) throw new Error(`${c.key}: database.events ${result.structuredContent?.database?.events}, expected ≥ ${EVENTS}`);
    if ((c.server === reference || c.key === 'devflow.bench_echo') && result.content?.[0]?.text !== `Echo: ${c.params.arguments.message}`) throw new Error(`echo answered ${JSON.stringify(result.content).slice(0, 200)}`);
    answerBytes[c.key] = Buffer.byteLength(JSON.stringify(result));
  };
  for (const c of CASES) for (let i = 0; i < WARMUP; i++) check(c, await c.server.client.callTool(c.params));

  const samples = Object.fromEntries(CASES.map((c) => [c.key, []]));
  const blocks = Math.ceil(CALLS / BLOCK);
  for (let b = 0; b < blocks; b++) {
    // rotate which tool goes first, so none always follows the same one
    for (let k = 0; k < CASES.length; k++) {
      const c = CASES[(b + k) % CASES.length];
      const n = Math.min(BLOCK, CALLS - b * BLOCK);
      const out = samples[c.key];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const result = await c.server.client.callTool(c.params);
        out.push(performance.now() - t0);
        if (i === 0) check(c, result);
      }
    }
  }
  await devflow.client.close();
  await reference.client.close();

  const ref = stats(samples['reference.echo']);
  const all = Object.fromEntries(CASES.map((c) => [c.key, stats(samples[c.key])]));
  const rows = CASES.map((c) => {
    const s = all[c.key];
    const same = CASES.find((m) => m.matchedTo === c.key);
    const p50Ratio = ratio(s.p50, ref.p50);
    const p50VsSameBytes = same ? ratio(s.p50, all[same.key].p50) : null;
    // The gate is the issue's: against the plain echo. The same-bytes ratio says how much of the
    // gap is DevFlow's own work rather than the size of its answer (information, not gated).
    const pass = c.gated ? p50Ratio <= TARGETS.p50VsReference && s.p99 <= TARGETS.p99Ms : null;
    const shown = c.matchedTo ? { message: `<${c.params.arguments.message.length} × "x">` } : c.params.arguments;
    return { tool: c.key, label: c.label, args: shown, answerBytes: answerBytes[c.key], ...s, p50VsReference: p50Ratio, p50VsSameBytes, pass };
  });
  console.log(`\ntool round trip over stdio (client.callTool), ${fmtInt(CALLS)} calls each:\n${table(
    ['tool', 'answer', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', '× echo p50', '× same-bytes echo p50', 'target'],
    rows.map((r) => [r.label, `${(r.answerBytes / 1024).toFixed(1)} KB`, ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max), r.p50VsReference.toFixed(2), r.p50VsSameBytes === null ? '–' : r.p50VsSameBytes.toFixed(2), r.pass === null ? (r.tool === 'reference.echo' ? 'reference' : 'reference (bytes)') : r.pass ? 'PASS' : 'FAIL']),
  )}`);
  console.log(`targets: p50 ≤ ${TARGETS.p50VsReference}× the plain echo's p50 and p99 ≤ ${TARGETS.p99Ms} ms; the same-bytes column (the echo moving as many bytes as the tool's answer) is information`);

  const gates = {
    coldStart: coldPass,
    bench_echo: rows.find((r) => r.tool === 'devflow.bench_echo').pass,
    devflow_status: rows.find((r) => r.tool === 'devflow_status').pass,
    devflow_events_query: rows.find((r) => r.tool === 'devflow_events_query').pass,
  };
  failed = Object.values(gates).includes(false);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  console.log(`\nMCP gates: ${Object.entries(gates).map(([k, v]) => `${k} ${v ? 'PASS' : 'FAIL'}`).join(', ')}  (${seconds} s)`);

  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(
    args.out,
    `${JSON.stringify(
      {
        benchmark: 'mcp',
        machine: info,
        versions: { sdk: sdkVersion, reference: `${REFERENCE_PKG}@${refPkg.version}` },
        config: { events: EVENTS, days: DAYS, bench24hEvents: seeded.inWindow, calls: CALLS, warmup: WARMUP, block: BLOCK, coldStarts: COLD, devflow: `node core/bin/devflow.js mcp`, reference: `node ${REFERENCE_BIN.slice(root.length + 1)} stdio` },
        targets: TARGETS,
        coldStart: { ...coldSummary, ratio: coldRatio, pass: coldPass },
        roundTrip: rows,
        gates,
        pass: !failed,
        seedSeconds: Math.round(seedSeconds * 10) / 10,
        seconds,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`results: ${args.out}`);
} finally {
  if (args.home === undefined) rmSync(home, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
