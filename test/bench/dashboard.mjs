#!/usr/bin/env node
// dashboard benchmark: a real kernel (http-api on 127.0.0.1 port 0, dashboard, admin, file-monitor
// and git-monitor on a git repository in a temp dir, the analyzers) and Debian's headless Chromium
// driven by playwright-core, in one run:
//   1. first load of the Overview through the sign-in link, cold cache: bytes transferred (CDP
//      Network.loadingFinished encodedDataLength: headers + body as sent, gzip where served so),
//      split into the static app and the API calls, until every card has loaded;
//   2. live update latency: a file written in the watched project → its row in the Overview's
//      "Latest activity" list (a MutationObserver stamps the row's arrival in the page), over N
//      changes spaced like edits; side by side with the baseline, file written → the
//      `file-monitor.file.changed` event committed (the kernel's eventStored hook), so the
//      dashboard's own share (stream + DOM) shows. Both clocks are wall time (timeOrigin + now)
//      on the same machine.
// Gates (exit 1 when one is missed): first load ≤ 300 KB; live p50 ≤ 500 ms.
// Usage: node test/bench/dashboard.mjs [--changes N] [--spacing MS] [--out FILE]
// (or BENCH_DASH_CHANGES, BENCH_DASH_SPACING). Needs `npx tsc -b` and the web build
// (node plugins/dashboard/scripts/build-web.mjs) first.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machine, median, table } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: args } = parseArgs({
  options: {
    changes: { type: 'string', default: process.env.BENCH_DASH_CHANGES ?? '24' },
    spacing: { type: 'string', default: process.env.BENCH_DASH_SPACING ?? '800' },
    out: { type: 'string' },
  },
});
const CHANGES = Math.max(20, Number(args.changes));
const SPACING = Number(args.spacing);
const GATES = { firstLoadBytes: 300 * 1024, liveP50Ms: 500 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();
const pct = (v, p) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(p * v.length))];
const f1 = (n) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

const { startStack, launchBrowser } = await import(join(root, 'plugins', 'dashboard', 'dist', 'test', 'stack.js'));
const started = Date.now();
const stack = await startStack({});
let browser;
let exitCode = 1;
try {
  browser = await launchBrowser();

  // 1. First load, cold cache.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const urls = new Map();
  const loads = [];
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
  cdp.on('Network.loadingFinished', (e) => loads.push({ url: urls.get(e.requestId) ?? '?', bytes: e.encodedDataLength }));
  const t0 = now();
  await page.goto(stack.loginUrl('/'));
  await page.waitForFunction(
    () => document.querySelectorAll('[data-card]').length >= 5 && !document.querySelector('.card-body[aria-busy="true"]') && ![...document.querySelectorAll('.card-body')].some((b) => b.textContent?.trim() === 'Loading…'),
  );
  const loadMs = now() - t0;
  await page.waitForSelector('#conn[data-state="live"]');
  await sleep(200);
  const isApi = (u) => new URL(u, stack.url).pathname.startsWith('/api/') || new URL(u, stack.url).pathname.startsWith('/auth/');
  const firstLoad = {
    bytes: loads.reduce((s, l) => s + l.bytes, 0),
    requests: loads.length,
    staticBytes: loads.filter((l) => !isApi(l.url)).reduce((s, l) => s + l.bytes, 0),
    apiBytes: loads.filter((l) => isApi(l.url)).reduce((s, l) => s + l.bytes, 0),
    cardsLoadedMs: loadMs,
    files: loads.map((l) => ({ path: new URL(l.url, stack.url).pathname.replace(/token=[^&]+/, 'token=…'), bytes: l.bytes })),
  };

  // 2. Live update latency, with the raw file-monitor baseline.
  const stored = new Map();
  stack.tk.kernel.hooks.tap('eventStored', 'bench-dashboard', (batch) => {
    const t = now();
    for (const e of batch) {
      const p = e.type === 'file-monitor.file.changed' ? e.data?.path : null;
      if (typeof p === 'string' && /^bench-\d+\.ts$/.test(p) && !stored.has(p)) stored.set(p, t);
    }
  });
  await page.evaluate(() => {
    const seen = (window.__benchSeen = {});
    new MutationObserver((muts) => {
      const t = performance.timeOrigin + performance.now();
      for (const m of muts)
        for (const n of m.addedNodes) {
          const name = n.nodeType === 1 ? /bench-\d+\.ts/.exec(n.textContent ?? '')?.[0] : undefined;
          if (name && !(name in seen)) seen[name] = t;
        }
    }).observe(document.querySelector('[data-card="recent"] ol.activity'), { childList: true });
  });
  const written = new Map();
  for (let i = 0; i < CHANGES; i++) {
    const name = `bench-${i}.ts`;
    written.set(name, now());
    writeFileSync(join(stack.project, name), `export const b${i} = ${i};\n`);
    await sleep(SPACING);
  }
  await page.waitForFunction((n) => Object.keys(window.__benchSeen).length >= n, CHANGES, { timeout: 15_000 }).catch(() => {});
  const seen = await page.evaluate(() => window.__benchSeen);
  const live = [];
  const raw = [];
  const share = [];
  for (const [name, tw] of written) {
    const ts = stored.get(name);
    const tb = seen[name];
    if (ts !== undefined) raw.push(ts - tw);
    if (tb !== undefined) live.push(tb - tw);
    if (ts !== undefined && tb !== undefined) share.push(tb - ts);
  }
  const missing = [...written.keys()].filter((n) => seen[n] === undefined);

  console.log(`dashboard bench: ${CHANGES} changes ${SPACING} ms apart; Chromium ${browser.version()}\n`);
  console.log(
    table(
      ['first load (cold cache)', 'requests', 'transferred', 'static app', 'API calls', 'cards loaded ms'],
      [['Overview via sign-in link', String(firstLoad.requests), kb(firstLoad.bytes), kb(firstLoad.staticBytes), kb(firstLoad.apiBytes), f1(loadMs)]],
    ),
  );
  console.log('');
  console.log(
    table(
      ['live update', 'n', 'p50 ms', 'p90 ms', 'max ms'],
      [
        ['baseline: file write → event committed', String(raw.length), f1(median(raw)), f1(pct(raw, 0.9)), f1(Math.max(...raw))],
        ['file write → row in the Overview', String(live.length), f1(median(live)), f1(pct(live, 0.9)), f1(Math.max(...live))],
        ['dashboard share: committed → row', String(share.length), f1(median(share)), f1(pct(share, 0.9)), f1(Math.max(...share))],
      ],
    ),
  );
  const checks = [
    ['first load ≤ 300 KB', firstLoad.bytes <= GATES.firstLoadBytes, kb(firstLoad.bytes)],
    ['live p50 ≤ 500 ms', live.length >= 20 && median(live) <= GATES.liveP50Ms && missing.length === 0, `${f1(median(live))} ms (${live.length}/${CHANGES} seen${missing.length ? `; missing ${missing.join(', ')}` : ''})`],
  ];
  console.log(`\n${table(['gate', 'ok', 'measured'], checks.map(([g, ok, m]) => [g, ok ? 'PASS' : 'FAIL', m]))}`);
  exitCode = checks.every((c) => c[1]) ? 0 : 1;
  const out = args.out ?? join(root, 'test', 'artifacts', 'bench-dashboard.json');
  mkdirSync(dirname(out), { recursive: true });
  const stats = (v) => ({ n: v.length, p50: median(v), p90: pct(v, 0.9), max: Math.max(...v) });
  writeFileSync(
    out,
    `${JSON.stringify({ machine: machine(), chromium: browser.version(), params: { changes: CHANGES, spacingMs: SPACING }, gates: GATES, firstLoad, live: stats(live), baseline: stats(raw), share: stats(share), missing, checks: checks.map(([gate, ok, measured]) => ({ gate, ok, measured })), seconds: (Date.now() - started) / 1000 }, null, 2)}\n`,
  );
  console.log(`\nresults: ${out}; ${((Date.now() - started) / 1000).toFixed(1)} s in all; ${exitCode ? 'FAIL' : 'PASS'}`);
} finally {
  await browser?.close();
  await stack.close();
}
process.exit(exitCode);
