import { definePlugin } from '@devflow/plugin-sdk';
import { configSchema } from './config.js';
import type { ReportParsed, RunFinished, StepFinished } from './events.js';
import { migrations, ReportClaims } from './report-claims.js';
import { ReportFiles, type FoundReport, type ReportProblem } from './report-files.js';
import { ReportWatcher } from './report-watcher.js';
import { recordRun, reportEvent, type RecorderDeps, type RunOptions, type RunOutcome } from './run-recorder.js';
import { parseSince } from '@devflow/plugin-sdk';
import { recentRuns } from './runs-view.js';
import { RUN_KINDS } from './types.js';

declare module '@devflow/plugin-sdk' {
  interface DevflowEventMap {
    'test-monitor.run.finished': RunFinished;
    'test-monitor.build.finished': StepFinished;
    'test-monitor.deploy.finished': StepFinished;
    'test-monitor.report.parsed': ReportParsed;
  }
}

/** What `ctx.use(testMonitor)` and `kernel.pluginApi('test-monitor')` return. */
export interface TestMonitorApi {
  /** Run a command with its output passed through, and record it (what `devflow run` calls). */
  run(argv: readonly string[], options?: RunOptions): Promise<RunOutcome>;
}

const nullableNumber = { type: ['number', 'null'] } as const;
const runSchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    id: { type: 'string' },
    time: { type: 'string' },
    command: { type: 'string' },
    kind: { enum: RUN_KINDS },
    runner: { type: ['string', 'null'] },
    exitCode: { type: 'integer' },
    ok: { type: 'boolean' },
    durationMs: { type: 'number' },
    passed: nullableNumber,
    failed: nullableNumber,
    skipped: nullableNumber,
    failingTests: { type: 'array', items: { type: 'string' } },
    moreFailingTests: { type: 'integer' },
    coverage: { type: ['object', 'null'] },
    project: { type: ['string', 'null'] },
    branch: { type: ['string', 'null'] },
  },
  required: ['seq', 'time', 'command', 'kind', 'exitCode', 'ok', 'failingTests'],
} as const;

/**
 * Test, build and deploy runs: `devflow run -- <command>` passes a command's output through and
 * records its outcome (runner summaries, failing tests, coverage); report files (JUnit XML,
 * Jest/Vitest JSON, TAP, lcov, istanbul json-summary) are watched in the lease holder.
 */
export default definePlugin({
  id: 'test-monitor',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: 'Test, build and deploy runs: `devflow run`, report files (JUnit, Jest/Vitest JSON, TAP, coverage).',
  permissions: ['tests:read'],
  config: configSchema,
  migrations,
  start(ctx): TestMonitorApi {
    const c = ctx.config;
    const reportOptions = { patterns: c.reports, ignore: c.ignore, maxDirs: c.maxDirs, maxBytes: c.maxReportBytes, maxFailingTests: c.maxFailingTests };
    const claims = new ReportClaims(ctx.storage.db, `${ctx.storage.prefix}reports`);

    const recordReport = async (found: FoundReport) => {
      if (!claims.claim(found.file, found.hash, found.report.format, Date.now())) return;
      await ctx.events.emit('test-monitor.report.parsed', reportEvent(found), {
        project: found.root,
        ts: Math.min(Math.round(found.mtimeMs), Date.now()),
        severity: found.report.counts?.failed ? 'warn' : 'info',
      });
    };
    // One warning per file and reason per process; the set is bounded.
    const warned = new Set<string>();
    const reportProblem = (p: ReportProblem) => {
      const key = `${p.file}\0${p.message}`;
      if (warned.has(key)) return;
      if (warned.size >= 1000) warned.clear();
      warned.add(key);
      if (p.unknownFormat) ctx.logger.debug({ file: p.file, project: p.root }, `report file ${p.file} ignored: ${p.message}`);
      else ctx.logger.warn({ file: p.file, project: p.root }, `report file ${p.file} not recorded: ${p.message}. Fix or delete it, or narrow the "reports" globs in the test-monitor config`);
    };

    if (c.watchReports && c.reports.length) {
      ctx.lease.whileHeld(() => {
        const watcher = new ReportWatcher(
          () => ctx.projects,
          new ReportFiles(reportOptions),
          {
            onFound: recordReport,
            onProblem: reportProblem,
            onTruncated: (root) =>
              ctx.logger.warn({ project: root }, `report search in ${root} stopped after ${c.maxDirs} directories; add large directories to "ignore" or raise "maxDirs" in the test-monitor config`),
            onWatchError: (dir, err) => ctx.logger.debug({ dir, err: err.message }, `cannot watch ${dir}; the periodic scan still covers it`),
          },
          { settleMs: 500, debounceMs: 200, maxWatchedDirs: 256 },
        );
        const scan = () => watcher.scan().catch((err: Error) => ctx.logger.error({ err }, `report scan failed: ${err.message}`));
        void ctx.track(scan());
        const timer = c.rescanSeconds > 0 ? ctx.scheduler.every(c.rescanSeconds * 1000, scan) : undefined;
        return async () => {
          timer?.dispose();
          await watcher.close();
        };
      });
    }

    const deps: RecorderDeps = {
      config: { ...c, report: reportOptions },
      projects: () => ctx.projects,
      emitRun: (data, o) => ctx.events.emit('test-monitor.run.finished', data, o),
      emitStep: (kind, data, o) => ctx.events.emit(kind === 'build' ? 'test-monitor.build.finished' : 'test-monitor.deploy.finished', data, o),
      recordReport,
      reportProblem,
      signal: ctx.signal,
    };

    ctx.tools.register(
      {
        name: 'tests_recent_runs',
        title: 'Recent test, build and deploy runs',
        group: 'tests',
        everyday: true,
        description:
          'Recent commands run through `devflow run` (tests, builds, deploys), newest first: command, kind, exit code, duration, passed/failed/skipped, the first failing test names, coverage, project and branch. Use it to answer "are the tests passing?", "what failed last time?" or "when did the last deploy run?". Filter by kind, project, since ("24h", "7d", ISO) or failedOnly; page with cursor = the previous "next".',
        permission: 'tests:read',
        annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
        inputSchema: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kind: { enum: RUN_KINDS, description: 'Only runs of this kind.' },
            project: { type: 'string', maxLength: 4096, description: 'Project root path, as configured.' },
            since: { type: 'string', maxLength: 64, description: 'ISO time, epoch ms, or a duration back from now such as "24h" or "7d".' },
            failedOnly: { type: 'boolean', default: false, description: 'Only runs that exited non-zero.' },
            limit: { type: 'integer', minimum: 1, maximum: 50, default: 10 },
            cursor: { type: 'integer', minimum: 0, description: 'The "next" value of the previous page.' },
          },
        },
        outputSchema: {
          type: 'object',
          properties: { runs: { type: 'array', items: runSchema }, next: { type: ['integer', 'null'] } },
          required: ['runs', 'next'],
        },
      },
      (args) => {
        const since = args.since === undefined ? undefined : parseSince(args.since);
        if (args.since !== undefined && since === undefined) throw new Error(`since "${args.since}" is not an ISO time, epoch ms or a duration like "24h"`);
        return recentRuns(ctx.storage.events, {
          limit: args.limit,
          failedOnly: args.failedOnly,
          ...(args.kind ? { kind: args.kind } : {}),
          ...(args.project !== undefined ? { project: args.project } : {}),
          ...(since !== undefined ? { since } : {}),
          ...(args.cursor !== undefined ? { cursor: args.cursor } : {}),
        });
      },
    );

    return {
      run: (argv, options) => ctx.track(recordRun(deps, argv, options)),
    };
  },
});
