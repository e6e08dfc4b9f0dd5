// The parts of the tools' answers the dashboard reads (see each plugin's README). Every field is
// treated as possibly missing: the pages never trust a shape blindly.

export interface Evidence {
  rule?: string;
  eventType?: string;
  eventId?: string;
  detail?: string;
}

export interface StageCurrent {
  project: string | null;
  stage: string | null;
  subStage: string | null;
  since: string | null;
  confidence: number | null;
  evidence?: Evidence[];
  lastEventAt?: string | null;
  leading?: { stage: string; share: number }[];
  note?: string | null;
}

export interface MetricsSummary {
  project: string | null;
  activeMs: number;
  commits: number;
  linesAdded: number;
  linesRemoved: number;
  filesTouched: number;
  tests: { runs: number; passed: number; failed: number; passRate: number | null; failingStreak: number; flaky: string[] };
  builds?: { runs: number; failed: number; p50Ms: number | null };
  ai: { assistedCommits: number; assistedShare: number | null; sessionMs: number; tokens: number; tokensPerCommit: number | null };
  from?: string;
  to?: string;
  byBranch?: { name: string; ms: number }[];
  byIssue?: { name: string; ms: number }[];
  note?: string | null;
}

export interface Dora {
  from?: string;
  to?: string;
  deploymentFrequencyPerWeek: number;
  deployments: number;
  leadTimeMs: { p50: number | null; p90: number | null };
  changeFailureRate: number | null;
  timeToRestoreMs: { p50: number | null };
  sample?: { changes: number; failedDeployments: number; restores: number };
  note?: string | null;
}

export interface Finding {
  key: string;
  rule: string;
  project: string | null;
  severity: string;
  title: string;
  subject?: string;
  suggestion?: string;
  openedAt?: number | string;
  evidence?: { detail?: string }[];
}

export interface Context {
  project: string | null;
  branch: string | null;
  task: string | null;
  stage: { name: string; subStage: string | null; since: number | string | null; confidence: number | null } | null;
  onTask?: { since: number | null; forMs: number | null; activeMs: number | null } | null;
  tests?: { state: string; since: number | null; runs: number; failing: string[]; lastRunAt: number | null };
  hotFiles?: { path: string; edits: number }[];
  bottlenecks?: { open: number; top: string[] };
  note?: string | null;
  text?: string;
}

export interface TaskRow {
  project: string | null;
  task: string;
  branch: string | null;
  issue: string | null;
  firstTs: number;
  lastTs: number;
  activeMs: number;
  edits: number;
  commits: number;
  sessions: number;
  testRuns: number;
  redRuns: number;
  tests: string;
  mergedAt: number | null;
  deployedAt: number | null;
}

export interface TimelineEntry {
  ts: number;
  kind: string;
  summary: string;
  eventId?: string;
}

export interface TaskTimeline {
  project: string | null;
  task: string | null;
  branch: string | null;
  stats: { entries: number; activeMs: number; firstTs: number | null; lastTs: number | null } | null;
  entries: TimelineEntry[];
  more?: boolean;
  note?: string | null;
}

export interface ReportDay {
  date: string;
  t: number;
  activeMs: number;
  commits: number;
  testRuns?: number;
  testFailures?: number;
}

export interface ReportListing {
  at: string;
  period: string;
  format: string;
  project: string | null;
  from: string;
  to: string;
  file: string | null;
  bytes: number | null;
  schedule: string | null;
  exists: boolean;
}

export interface PluginRow {
  id: string;
  entry: string;
  version: string | null;
  state: string;
  reason: string | null;
  code?: string | null;
  lastError: string | null;
  tools: string[];
}

export interface AuditEntry {
  seq: number;
  ts: number;
  time?: string;
  principal: string;
  role?: string;
  action: string;
  target?: string;
  outcome: string;
  durationMs?: number;
}
