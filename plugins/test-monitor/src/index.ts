export { default } from './plugin.js';
export type { TestMonitorApi } from './plugin.js';
export type { ReportParsed, RunFinished, StepFinished } from './events.js';
export type { RunOptions, RunOutcome } from './run-recorder.js';
export type { RunStdio } from './run-command.js';
export type { Coverage, OutputSummary, RunKind, TestCounts } from './types.js';
export { OutputParser } from './output-parser.js';
export { parseReport, type ParsedReport, type ReportFormat } from './report-parsers.js';
export { classify, commandLine, matchesPattern, redactArgs } from './command.js';
