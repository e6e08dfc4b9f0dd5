// Stand-ins for the plugins reports uses, with the real ids and version 1.0.0, returning canned but
// realistic data shaped as in the cross-plugin contracts, so these tests do not depend on them.
import { definePlugin, type EmitOptions } from '@devflow/plugin-sdk';
import type { DoraMetrics, Finding, MetricsSummary } from '../src/contracts.js';

const H = 3_600_000;
const DAY = 86_400_000;
/** Canned days, UTC: the week of 2026-01-12 (previous) and 2026-01-19 (the one reported). */
export const FIRST_DAY = Date.UTC(2026, 0, 12);
export const DAYS = {
  activeMs: [2, 3, 0, 4, 1, 0, 0, 3, 5, 2.5, 4, 6, 0, 1].map((h) => h * H),
  commits: [3, 4, 0, 5, 2, 0, 0, 4, 6, 2, 5, 8, 0, 1],
  testRuns: [4, 5, 0, 6, 2, 0, 0, 5, 8, 4, 6, 10, 0, 2],
  testFailures: [0, 1, 0, 1, 0, 0, 0, 1, 3, 4, 0, 1, 0, 0],
  deployments: [0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0],
  failedDeployments: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0],
};
type Key = keyof typeof DAYS;

function sum(key: Key, since: number, until: number): number {
  let s = 0;
  DAYS[key].forEach((v, i) => {
    const t = FIRST_DAY + i * DAY;
    if (t >= since && t < until) s += v;
  });
  return s;
}

export const calls: { metrics: unknown[]; notify: unknown[] } = { metrics: [], notify: [] };

export const metricsStandIn = definePlugin({
  id: 'metrics',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: 'stand-in for metrics with canned numbers',
  start() {
    const summary = (q: { project?: string | null; since: number; until: number }): MetricsSummary => {
      calls.metrics.push(q);
      const commits = sum('commits', q.since, q.until);
      const runs = sum('testRuns', q.since, q.until);
      const failed = sum('testFailures', q.since, q.until);
      const activeMs = sum('activeMs', q.since, q.until);
      return {
        project: q.project ?? null,
        since: q.since,
        until: q.until,
        activeMs,
        commits,
        linesAdded: commits * 40,
        linesRemoved: commits * 12,
        filesTouched: commits * 3,
        tests: { runs, passed: runs - failed, failed, passRate: runs ? (runs - failed) / runs : null, failingStreak: 0, flaky: ['auth > refresh <script>token</script>'], p50Ms: 41_000 },
        coverage: { latest: 81.5, delta: 1.2 },
        builds: { runs: commits, failed: commits > 20 ? 2 : 1, p50Ms: 95_000 },
        churn: { linesChanged: commits * 52, revertRate: 0.04 },
        ai: {
          assistedCommits: Math.round(commits * 0.4),
          assistedShare: commits ? Math.round(commits * 0.4) / commits : null,
          sessionMs: Math.round(activeMs * 0.3),
          tokens: commits * 12_000,
          tokensPerCommit: commits ? 12_000 : null,
          reworkShare: commits > 20 ? 0.18 : 0.22,
        },
      };
    };
    const dora = (q: { since: number; until: number }): DoraMetrics => {
      const deployments = sum('deployments', q.since, q.until);
      const failedDeployments = sum('failedDeployments', q.since, q.until);
      return {
        deploymentFrequencyPerWeek: deployments / ((q.until - q.since) / (7 * DAY)),
        deployments,
        leadTimeMs: { p50: deployments ? 5 * H : null, p90: deployments ? 26 * H : null },
        changeFailureRate: deployments ? failedDeployments / deployments : null,
        timeToRestoreMs: { p50: failedDeployments ? 40 * 60_000 : null },
        sample: { changes: sum('commits', q.since, q.until), failedDeployments, restores: failedDeployments },
      };
    };
    const series = (q: { metric: string; bucket: string; since: number; until: number }) => {
      const key = q.metric as Key;
      if (!(key in DAYS) || q.bucket !== 'day') return [];
      return DAYS[key].map((v, i) => ({ t: FIRST_DAY + i * DAY, v })).filter((p) => p.t >= q.since && p.t < q.until);
    };
    return { summary, dora, series, value: () => 0 };
  },
});

export const stagesStandIn = definePlugin({
  id: 'stage-analyzer',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: 'stand-in for stage-analyzer',
  start() {
    return {
      current: (project: string) => ({
        project,
        stage: 'coding',
        subStage: 'unit-testing',
        since: Date.parse('2026-01-20T09:00:00Z'),
        confidence: 0.82,
        evidence: [{ rule: 'test-files', eventType: 'file-monitor.file.changed', detail: 'src/auth.test.ts' }],
      }),
      durations: () => [
        { stage: 'coding', ms: 12 * H },
        { stage: 'planning', ms: 1.5 * H },
        { stage: 'deployment', ms: 2 * H },
        { stage: 'prd', ms: 0 },
      ],
    };
  },
});

export const openFinding: Finding = {
  key: 'long-lived-branch:feature/<b>x</b>',
  rule: 'long-lived-branch',
  project: '/home/dev/webapp',
  severity: 'warn',
  title: 'Branch feature/<b>x</b> open for 12 days',
  subject: 'feature/<b>x</b>',
  evidence: [{ detail: 'created 2026-01-09' }],
  suggestion: 'merge or split it',
  openedAt: Date.parse('2026-01-21T08:00:00Z'),
};

/** Stand-in bottleneck-detector: its open() API, and emit() so fixtures replay its events. */
export const bottlenecksStandIn = definePlugin({
  id: 'bottleneck-detector',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: 'stand-in for bottleneck-detector',
  start(ctx) {
    return {
      open: () => [openFinding],
      emit: (type: string, data: Record<string, unknown>, options?: EmitOptions) => ctx.events.emit(type, data, options),
    };
  },
});

export const notificationsStandIn = definePlugin({
  id: 'notifications',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: 'stand-in for notifications that records what it is asked to send',
  start() {
    return {
      notify: async (n: unknown) => {
        calls.notify.push(n);
        return { channels: ['log'] };
      },
    };
  },
});
