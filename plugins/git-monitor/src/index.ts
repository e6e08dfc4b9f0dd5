export { default } from './plugin.js';
export type { BranchCreated, BranchDeleted, BranchSwitched, CommitCreated, HistoryRewritten, MergeDetected, StashCreated, TagCreated } from './events.js';
export { extractIssueKeys, parseConventional, parseTrailers, splitMessage } from './commit-message.js';
export { LOG_FORMAT, logArgs, parseLog, toCommitData, type CommitData, type FileStat, type RawCommit } from './log-parser.js';
export type { GitMonitorConfig } from './config.js';
