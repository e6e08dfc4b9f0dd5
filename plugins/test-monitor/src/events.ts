import type { ReportCounts, ReportFormat } from './report-parsers.js';
import type { Coverage, RunKind } from './types.js';

/** `test-monitor.run.finished`: every `devflow run`. */
export interface RunFinished {
  /** Links the run to its `build.finished` / `deploy.finished` event. */
  runId: string;
  /** The argument vector joined, shell-quoted, secrets replaced by `***`, at most 2000 characters. */
  command: string;
  kind: RunKind;
  /** Runner(s) whose summary was recognized (`jest`, `node:test`, `jest+vitest`), or the report format the counts came from; null when none. */
  runner: string | null;
  exitCode: number;
  /** The signal that ended the command, if one did. */
  signal: string | null;
  ok: boolean;
  durationMs: number;
  startedAt: string;
  passed: number | null;
  failed: number | null;
  skipped: number | null;
  /** Failing test names (at most `maxFailingTests`, each at most 300 characters). */
  failingTests: string[];
  failingTestsTruncated: boolean;
  coverage: Coverage | null;
  cwd: string;
  project: string | null;
  branch: string | null;
  /** Report files (relative to the project) the command wrote, at most 20. */
  reports: string[];
  /** Why the command could not start (then exitCode is 127 or 126). */
  error: string | null;
}

/** `test-monitor.build.finished` and `test-monitor.deploy.finished`. */
export interface StepFinished {
  runId: string;
  command: string;
  exitCode: number;
  signal: string | null;
  ok: boolean;
  durationMs: number;
  startedAt: string;
  cwd: string;
  project: string | null;
  branch: string | null;
}

/** `test-monitor.report.parsed`: a report file with new content. */
export interface ReportParsed {
  /** Relative to the project root. */
  file: string;
  format: ReportFormat;
  counts: ReportCounts | null;
  failingTests: string[];
  failingTestsTruncated: boolean;
  coverage: Coverage | null;
  /** When the file was last written. */
  modifiedAt: string;
  /** sha256 of the content (a report is recorded once per content). */
  hash: string;
}
