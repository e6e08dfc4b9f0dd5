#!/usr/bin/env node
// test-monitor benchmark: each measurement side by side with a baseline in the same run (only the
// ratio within one run means anything on a shared machine).
//
//   passthrough  MB/s through runCommand (tee + parse) vs the same child piped to a null sink
//   memory       peak RSS growth while a 200 MB single line (no newline) goes through, vs the bare pipe
//   parser       lines/s through LineSplitter + OutputParser vs LineSplitter alone
//   junit        a 20k-testcase JUnit file: parseReport (validate + parse + count) vs fast-xml-parser alone
//   walk         finding reports in a 10k-directory tree: ReportFiles.list vs readdirSync(recursive)
//   cli          wall time of `devflow run -- node -e ""` vs `node -e ""` (startup overhead)
//
// Usage: node test/bench/test-monitor.mjs [--mb N] [--rounds R]. Build first (npx tsc -b).
// Writes test/artifacts/bench-test-monitor.json; exits 1 when a target is missed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { fmtInt, gc, machine, median, table } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'plugins', 'test-monitor', 'dist', 'src');
const { runCommand } = await import(join(dist, 'run-command.js'));
const { LineSplitter } = await import(join(dist, 'lines.js'));
const { OutputParser } = await import(join(dist, 'output-parser.js'));
const { parseReport } = await import(join(dist, 'report-parsers.js'));
const { ReportFiles } = await import(join(dist, 'report-files.js'));
const { DEFAULT_IGNORE, DEFAULT_REPORTS } = await import(join(dist, 'config.js'));

const { values: args } = parseArgs({ options: { mb: { type: 'string', default: process.env.BENCH_MB ?? '200' }, rounds: { type: 'string', default: process.env.BENCH_ROUNDS ?? '5' } } });
const MB = Number(args.mb);
const ROUNDS = Number(args.rounds);
const TARGETS = {
  // runCommand (write + parse a copy) ≥ 0.1 × a pipe that does no work at all. The writer prints
  // TAP test points, the costliest lines to parse; 0.1× is still well over 100 MB/s here, orders of
  // magnitude above what test runners print.
  passthrough: 0.1,
  memoryMB: 64, // peak RSS growth over the bare pipe ≤ 64 MB for a 200 MB line
  parser: 0.15, // parsed lines/s (8 runner readers + coverage) ≥ 0.15 × splitting alone (measured 0.25–0.30)
  junit: 0.33, // parseReport ≥ 0.33 × fast-xml-parser alone (validation is the extra pass)
  walk: 0.2, // ReportFiles.list ≥ 0.2 × readdirSync(recursive) (async, prunes, matches)
  cliOverheadMs: 1500, // devflow run adds ≤ 1.5 s (kernel open + start + stop) to a command
};

const tmp = mkdtempSync(join(tmpdir(), 'devflow-bench-tm-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const node = process.execPath;
const nullSink = () => new Writable({ write: (_c, _e, cb) => cb() });

// A child writing MB megabytes of test-runner-like lines as fast as the pipe takes them.
const writer = join(tmp, 'writer.cjs');
writeFileSync(
  writer,
  `const mb = Number(process.argv[2]); const oneLine = process.argv[3] === 'oneline';
   let line = ''; for (let i = 0; line.length < 65536; i++) line += oneLine ? 'x'.repeat(64) : 'ok ' + i + ' - some test name that is fairly long # time=1.2ms\\n';
   const chunk = Buffer.from(line); let left = Math.ceil(mb * 1048576 / chunk.length);
   const go = () => { while (left > 0) { left--; if (!process.stdout.write(chunk)) return process.stdout.once('drain', go); } }; go();`,
);

function barePipe(extra = []) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(node, [writer, String(MB), ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.pipe(nullSink());
    child.on('close', () => resolve(performance.now() - t0));
  });
}

async function throughRun(extra = []) {
  const t0 = performance.now();
  const r = await runCommand([node, writer, String(MB), ...extra], { cwd: tmp, stdio: { stdout: nullSink(), stderr: nullSink(), stdin: 'ignore' } });
  if (r.exitCode !== 0) throw new Error(`writer exited ${r.exitCode}`);
  return performance.now() - t0;
}

async function peakRss(fn) {
  gc();
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  await fn();
  clearInterval(timer);
  return (Math.max(peak, process.memoryUsage().rss) - start) / 1048576;
}

const results = {};
const rows = [];
const misses = [];
const gate = (name, ok, detail) => {
  if (!ok) misses.push(`${name}: ${detail}`);
  return ok ? 'PASS' : 'FAIL';
};

// passthrough
{
  const base = [];
  const ours = [];
  await barePipe();
  await throughRun();
  for (let i = 0; i < ROUNDS; i++) {
    base.push(await barePipe());
    ours.push(await throughRun());
  }
  const b = MB / (median(base) / 1000);
  const o = MB / (median(ours) / 1000);
  results.passthrough = { mb: MB, baselineMBps: b, runCommandMBps: o, ratio: o / b };
  rows.push(['passthrough (MB/s)', fmtInt(b), fmtInt(o), (o / b).toFixed(2), `≥ ${TARGETS.passthrough}`, gate('passthrough', o / b >= TARGETS.passthrough, `${(o / b).toFixed(2)}×`)]);
}

// memory with one enormous line
{
  const base = await peakRss(() => barePipe(['oneline']));
  const ours = await peakRss(() => throughRun(['oneline']));
  const growth = ours - base;
  results.memory = { mb: MB, baselinePeakGrowthMB: base, runCommandPeakGrowthMB: ours, extraMB: growth };
  rows.push([`memory, ${MB} MB in one line (MB RSS)`, base.toFixed(1), ours.toFixed(1), `+${growth.toFixed(1)}`, `≤ +${TARGETS.memoryMB}`, gate('memory', growth <= TARGETS.memoryMB, `+${growth.toFixed(1)} MB`)]);
}

// parser
{
  const lines = [];
  for (let i = 0; i < 400; i++) lines.push(`ok ${i} - some test name ${i}`, `  ---`, `  duration_ms: 1.2`, `  ...`, `\x1b[32m✔ passes ${i} (0.5ms)\x1b[39m`, `  ● suite › case ${i}`, `--- PASS: TestX${i} (0.00s)`);
  const chunk = Buffer.from(`${lines.join('\n')}\n`);
  const perChunk = lines.length;
  const reps = 200;
  const time = (withParser) => {
    const t0 = performance.now();
    const p = new OutputParser();
    const split = new LineSplitter(withParser ? (l) => p.line(l) : () => {});
    for (let i = 0; i < reps; i++) split.push(chunk);
    split.end();
    if (withParser) p.result();
    return performance.now() - t0;
  };
  time(true);
  time(false);
  const base = [];
  const ours = [];
  for (let i = 0; i < ROUNDS; i++) (base.push(time(false)), ours.push(time(true)));
  const n = perChunk * reps;
  const b = n / (median(base) / 1000);
  const o = n / (median(ours) / 1000);
  results.parser = { lines: n, splitLinesPerSec: b, parsedLinesPerSec: o, ratio: o / b };
  rows.push(['parser (lines/s)', fmtInt(b), fmtInt(o), (o / b).toFixed(2), `≥ ${TARGETS.parser}`, gate('parser', o / b >= TARGETS.parser, `${(o / b).toFixed(2)}×`)]);
}

// junit
{
  const cases = [];
  for (let i = 0; i < 20000; i++) {
    cases.push(
      i % 50 === 0
        ? `<testcase classname="pkg.Suite${i % 40}" name="case ${i}" time="0.01"><failure message="boom">stack line 1&#10;stack line 2</failure></testcase>`
        : `<testcase classname="pkg.Suite${i % 40}" name="case ${i}" time="0.01"/>`,
    );
  }
  const xml = `<?xml version="1.0"?><testsuites><testsuite name="all" tests="20000">${cases.join('\n')}</testsuite></testsuites>`;
  const plain = new XMLParser({ ignoreAttributes: false, processEntities: false });
  const base = [];
  const ours = [];
  plain.parse(xml);
  parseReport('junit.xml', xml);
  for (let i = 0; i < ROUNDS; i++) {
    let t0 = performance.now();
    plain.parse(xml);
    base.push(performance.now() - t0);
    t0 = performance.now();
    const r = parseReport('junit.xml', xml);
    ours.push(performance.now() - t0);
    if (r.counts.total !== 20000 || r.counts.failed !== 400) throw new Error(`junit counts wrong: ${JSON.stringify(r.counts)}`);
  }
  const ratio = median(base) / median(ours);
  results.junit = { testcases: 20000, bytes: xml.length, fastXmlParserMs: median(base), parseReportMs: median(ours), ratio };
  rows.push([`junit, 20k cases ${(xml.length / 1048576).toFixed(1)} MB (ms)`, median(base).toFixed(0), median(ours).toFixed(0), ratio.toFixed(2), `≥ ${TARGETS.junit}`, gate('junit', ratio >= TARGETS.junit, `${ratio.toFixed(2)}×`)]);
}

// walk
{
  const tree = join(tmp, 'tree');
  let dirs = 0;
  for (let a = 0; a < 20; a++) {
    for (let b = 0; b < 25; b++) {
      for (let c = 0; c < 20; c++) {
        mkdirSync(join(tree, `pkg${a}`, `src${b}`, `mod${c}`), { recursive: true });
        dirs++;
      }
    }
  }
  mkdirSync(join(tree, 'pkg3', 'test-results'), { recursive: true });
  writeFileSync(join(tree, 'pkg3', 'test-results', 'junit.xml'), '<testsuites/>');
  for (let i = 0; i < 2000; i++) mkdirSync(join(tree, 'node_modules', `dep${i}`), { recursive: true });
  const files = new ReportFiles({ patterns: DEFAULT_REPORTS, ignore: DEFAULT_IGNORE, maxDirs: 1_000_000, maxBytes: 1e7, maxFailingTests: 50 });
  const base = [];
  const ours = [];
  readdirSync(tree, { recursive: true });
  await files.list(tree);
  for (let i = 0; i < ROUNDS; i++) {
    let t0 = performance.now();
    readdirSync(tree, { recursive: true });
    base.push(performance.now() - t0);
    t0 = performance.now();
    const l = await files.list(tree);
    ours.push(performance.now() - t0);
    if (l.files.length !== 1) throw new Error(`walk found ${l.files.length} files`);
  }
  const ratio = median(base) / median(ours);
  results.walk = { directories: dirs + 2000, readdirRecursiveMs: median(base), listMs: median(ours), ratio };
  rows.push([`walk, ${fmtInt(dirs)} dirs + ignored node_modules (ms)`, median(base).toFixed(0), median(ours).toFixed(0), ratio.toFixed(2), `≥ ${TARGETS.walk}`, gate('walk', ratio >= TARGETS.walk, `${ratio.toFixed(2)}×`)]);
}

// cli
{
  const home = join(tmp, 'home');
  mkdirSync(home);
  writeFileSync(join(home, 'devflow.config.json'), JSON.stringify({ projects: ['.'], plugins: { 'test-monitor': { config: { scanReportsAfterRun: false } } } }));
  const env = { ...process.env, DEVFLOW_HOME: home, DEVFLOW_CONFIG: '' };
  const bin = join(root, 'core', 'bin', 'devflow.js');
  const wall = (argv) => {
    const t0 = performance.now();
    const r = spawnSync(argv[0], argv.slice(1), { cwd: home, env, stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
    return performance.now() - t0;
  };
  wall([node, bin, 'run', '--', node, '-e', '']);
  const base = [];
  const ours = [];
  for (let i = 0; i < Math.max(ROUNDS, 7); i++) (base.push(wall([node, '-e', ''])), ours.push(wall([node, bin, 'run', '--', node, '-e', ''])));
  const overhead = median(ours) - median(base);
  results.cli = { directMs: median(base), devflowRunMs: median(ours), overheadMs: overhead };
  rows.push(['cli: node -e "" direct vs devflow run (ms)', median(base).toFixed(0), median(ours).toFixed(0), `+${overhead.toFixed(0)}`, `≤ +${TARGETS.cliOverheadMs}`, gate('cli', overhead <= TARGETS.cliOverheadMs, `+${overhead.toFixed(0)} ms`)]);
}

console.log(table(['measure', 'baseline', 'test-monitor', 'ratio/extra', 'target', 'gate'], rows));
const out = join(root, 'test', 'artifacts', 'bench-test-monitor.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ machine: machine(), rounds: ROUNDS, targets: TARGETS, results, misses }, null, 2)}\n`);
console.log(`\nwrote ${out}`);
if (misses.length) {
  console.error(`missed: ${misses.join('; ')}`);
  process.exit(1);
}
