import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { classify, commandLine, type KindPatterns } from './command.js';
import type { ReportParsed, RunFinished, StepFinished } from './events.js';
import { gitBranch, projectFor } from './project.js';
import { ReportFiles, type FoundReport, type ReportFilesOptions, type ReportProblem } from './report-files.js';
import { runCommand, type RunStdio } from './run-command.js';
import type { Coverage, RunKind } from './types.js';

export const MAX_RUN_REPORTS = 20;

export interface RunOptions {
  /** Working directory (default: this process's). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdio?: RunStdio;
  /** Record as this kind whatever the patterns say (`devflow run --kind deploy -- ./ship.sh`). */
  kind?: RunKind;
  /** Forward SIGINT/SIGTERM/SIGHUP/SIGQUIT to the command (what the CLI wants). */
  forwardSignals?: boolean;
}

/** What `run` resolves with: how to exit, and what was recorded. */
export interface RunOutcome {
  exitCode: number;
  signal: NodeJS.Signals | null;
  kind: RunKind;
  event: RunFinished;
}

export interface RecorderConfig extends KindPatterns {
  maxFailingTests: number;
  forceColor: boolean;
  scanReportsAfterRun: boolean;
  report: ReportFilesOptions;
}

export interface RecorderDeps {
  config: RecorderConfig;
  projects(): readonly string[];
  emitRun(data: RunFinished, opts: EventOpts): Promise<unknown>;
  emitStep(kind: 'build' | 'deploy', data: StepFinished, opts: EventOpts): Promise<unknown>;
  /** Record a report seen for the first time with this content (deduplicated across processes). */
  recordReport(found: FoundReport): Promise<unknown>;
  reportProblem(problem: ReportProblem): void;
  signal?: AbortSignal;
}

export interface EventOpts {
  project: string | null;
  ts: number;
  severity: 'info' | 'warn';
}

/** The payload of `test-monitor.report.parsed` for a found report. */
export function reportEvent(found: FoundReport): ReportParsed {
  const r = found.report;
  return {
    file: found.rel,
    format: r.format,
    counts: r.counts,
    failingTests: r.failingTests,
    failingTestsTruncated: r.failingTestsTruncated,
    coverage: r.coverage,
    modifiedAt: new Date(found.mtimeMs).toISOString(),
    hash: found.hash,
  };
}

/** Reports the command wrote (modified since it started), each recorded if its content is new. */
async function reportsWritten(deps: RecorderDeps, project: string, since: number): Promise<FoundReport[]> {
  const files = new ReportFiles(deps.config.report);
  const listed = await files.list(project, deps.signal);
  const found: FoundReport[] = [];
  for (const file of listed.files) {
    const out = await files.read(project, file, { since });
    if (out.kind === 'found') {
      found.push(out.found);
      await deps.recordReport(out.found);
    } else if (out.kind === 'problem') {
      deps.reportProblem(out.problem);
    }
  }
  return found;
}

function childEnv(deps: RecorderDeps, options: RunOptions): NodeJS.ProcessEnv {
  const env = { ...(options.env ?? process.env) };
  const out = (options.stdio?.stdout ?? process.stdout) as { isTTY?: boolean };
  if (deps.config.forceColor && out.isTTY && env.FORCE_COLOR === undefined && env.NO_COLOR === undefined) env.FORCE_COLOR = '1';
  return env;
}

/**
 * Run a command the way `devflow run` does and record it: output passes through unchanged, the
 * summary of any recognized test runner is read from a copy, report files the command wrote are
 * read afterwards, and `test-monitor.run.finished` (plus `build.finished` or `deploy.finished`)
 * is emitted. Resolves once the events are committed.
 *
 * @example
 * ```ts
 * const { exitCode } = await recordRun(deps, ['npm', 'test'], { cwd: process.cwd(), forwardSignals: true });
 * ```
 */
export async function recordRun(deps: RecorderDeps, argv: readonly string[], options: RunOptions = {}): Promise<RunOutcome> {
  const cwd = resolve(options.cwd ?? process.cwd());
  if (!statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`the working directory ${cwd} does not exist`);
  const result = await runCommand(argv, {
    cwd,
    env: childEnv(deps, options),
    ...(options.stdio ? { stdio: options.stdio } : {}),
    ...(options.forwardSignals ? { forwardSignals: true } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
    maxFailingTests: deps.config.maxFailingTests,
  });
  const project = projectFor(cwd, deps.projects());
  const reports = project && deps.config.scanReportsAfterRun && !result.spawnError ? await reportsWritten(deps, project, result.startedAt - 1000) : [];

  const s = result.summary;
  let counts = { runner: s.runner, passed: s.passed, failed: s.failed, skipped: s.skipped };
  let failingTests = s.failingTests;
  let failingTestsTruncated = s.failingTestsTruncated;
  const testReports = reports.filter((r) => r.report.counts);
  if (!s.runner && testReports.length) {
    // Nothing recognizable on the terminal (a silent reporter): the counts come from the reports.
    const sum = (k: 'passed' | 'failed' | 'skipped') => testReports.reduce((n, r) => n + (r.report.counts?.[k] ?? 0), 0);
    counts = { runner: [...new Set(testReports.map((r) => r.report.format))].join('+'), passed: sum('passed'), failed: sum('failed'), skipped: sum('skipped') };
    failingTests = [...new Set(testReports.flatMap((r) => r.report.failingTests))].slice(0, deps.config.maxFailingTests);
    failingTestsTruncated = testReports.some((r) => r.report.failingTestsTruncated) || failingTests.length >= deps.config.maxFailingTests;
  }
  const fromReports = (format: string): Coverage | null => reports.find((r) => r.report.format === format && r.report.coverage)?.report.coverage ?? null;
  const coverage = s.coverage ?? fromReports('istanbul-summary') ?? fromReports('lcov');

  const kind = classify(argv, { runnerRecognized: counts.runner !== null, patterns: deps.config, kind: options.kind });
  const ok = result.exitCode === 0;
  const base = {
    runId: randomUUID(),
    command: commandLine(argv),
    exitCode: result.exitCode,
    signal: result.signal,
    ok,
    durationMs: result.durationMs,
    startedAt: new Date(result.startedAt).toISOString(),
    cwd,
    project,
    branch: gitBranch(cwd),
  };
  const event: RunFinished = {
    ...base,
    kind,
    ...counts,
    failingTests,
    failingTestsTruncated,
    coverage,
    reports: reports.slice(0, MAX_RUN_REPORTS).map((r) => r.rel),
    error: result.spawnError,
  };
  const opts: EventOpts = { project, ts: result.startedAt + result.durationMs, severity: ok ? 'info' : 'warn' };
  const emitted = [deps.emitRun(event, opts)];
  if (kind === 'build' || kind === 'deploy') emitted.push(deps.emitStep(kind, base, opts));
  await Promise.all(emitted);
  return { exitCode: result.exitCode, signal: result.signal, kind, event };
}
