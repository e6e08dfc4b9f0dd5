// metrics' MCP tools: metrics_summary (everyday) and dora_metrics.
import { parseSince, type PluginContext } from '@devflow/plugin-sdk';
import { bucketStart, DAY } from './buckets.js';
import type { MetricsConfig, Settings } from './config.js';
import type { Queries } from './queries.js';

const PROJECT_ARG = { type: 'string', minLength: 1, maxLength: 4096, description: 'Project root path, as in events (omit: all projects).' } as const;
const TIME_ARG = (what: string) => ({ type: 'string', minLength: 1, maxLength: 64, description: `${what}: ISO time, epoch ms, or a duration back from now ("24h", "7d").` }) as const;
const NUM_OR_NULL = { type: ['number', 'null'] } as const;

function time(name: string, v: string | undefined, now: number): number | undefined {
  if (v === undefined) return undefined;
  const t = parseSince(v, now);
  if (t === undefined) throw new Error(`${name} "${v}" is not an ISO time, epoch ms or a duration like "24h" or "7d"`);
  return t;
}

/** [since, until) of a named period ending now; "today" starts at midnight in the configured offset. */
export function periodWindow(period: string, now: number, settings: Pick<Settings, 'offsetMs' | 'sprintDays'>): { since: number; until: number } {
  const back: Record<string, number> = { day: DAY, week: 7 * DAY, month: 30 * DAY, sprint: settings.sprintDays * DAY };
  if (period === 'today') return { since: bucketStart('d', now, settings.offsetMs), until: now };
  return { since: now - (back[period] ?? DAY), until: now };
}

function note(queries: Queries, project: string | undefined): string | null {
  if (queries.known(project)) return null;
  return project === undefined ? 'no activity recorded yet: metrics come from file, git, test and AI-session events' : `nothing recorded for project "${project}": check the path (as in events' project)`;
}

export function registerMetricsTools(ctx: PluginContext<MetricsConfig>, queries: Queries, settings: Settings): void {
  const iso = (t: number) => new Date(t).toISOString();
  ctx.tools.register(
    {
      name: 'metrics_summary',
      title: 'Development metrics summary',
      group: 'metrics',
      everyday: true,
      description:
        'Numbers for a period (today, last day/week/month/sprint, or since/until) and one project or all: active time (heartbeat style, with the top branches and issue keys), commits, lines added/removed, files touched, test runs, pass rate, failing streak, flaky tests, coverage and its change, build count/failures/median duration, churn and revert rate, AI-assisted commits and share, AI session time, tokens per commit and AI rework share. Use it for stand-ups, "how much did I do", and before judging test or AI health.',
      permission: 'metrics:read',
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          period: { type: 'string', enum: ['today', 'day', 'week', 'month', 'sprint'], default: 'today', description: 'Ignored when since is given.' },
          since: TIME_ARG('Start of the window'),
          until: TIME_ARG('End of the window (exclusive; default now)'),
          project: PROJECT_ARG,
        },
      },
      outputSchema: {
        type: 'object',
        properties: {
          project: { type: ['string', 'null'] },
          since: { type: 'number' },
          until: { type: 'number' },
          from: { type: 'string' },
          to: { type: 'string' },
          activeMs: { type: 'number' },
          commits: { type: 'number' },
          linesAdded: { type: 'number' },
          linesRemoved: { type: 'number' },
          filesTouched: { type: 'number' },
          tests: { type: 'object' },
          coverage: { type: 'object', properties: { latest: NUM_OR_NULL, delta: NUM_OR_NULL } },
          builds: { type: 'object' },
          churn: { type: 'object' },
          ai: { type: 'object' },
          byBranch: { type: 'array', maxItems: 5, items: { type: 'object', properties: { name: { type: 'string' }, ms: { type: 'number' } }, required: ['name', 'ms'] } },
          byIssue: { type: 'array', maxItems: 5, items: { type: 'object', properties: { name: { type: 'string' }, ms: { type: 'number' } }, required: ['name', 'ms'] } },
          note: { type: ['string', 'null'] },
        },
        required: ['project', 'since', 'until', 'activeMs', 'commits', 'tests', 'ai', 'note'],
      },
    },
    (args) => {
      const now = Date.now();
      const named = periodWindow(args.period, now, settings);
      const since = time('since', args.since, now) ?? named.since;
      const until = time('until', args.until, now) ?? (args.since !== undefined ? now : named.until);
      if (until <= since) throw new Error(`until (${iso(until)}) must be after since (${iso(since)})`);
      const s = queries.summary({ project: args.project ?? null, since, until });
      const byOf = (dim: 'b' | 'i') => queries.activeBy(dim, args.project ?? null, since, until, 5);
      return { ...s, from: iso(since), to: iso(until), byBranch: byOf('b'), byIssue: byOf('i'), note: note(queries, args.project) };
    },
  );

  ctx.tools.register(
    {
      name: 'dora_metrics',
      title: 'DORA metrics',
      group: 'metrics',
      description:
        'The four DORA metrics from local signals for a window (default the last 30 days) and one project or all: deployment frequency per week (deploy runs, or release tags as fallback), lead time for changes p50/p90 (first commit, or a squash-merged branch\'s first edit, to deployed), change failure rate (deploys that failed or were followed by a failed deploy, revert or hotfix within the failure window) and median time to restore, with the sample sizes.',
      permission: 'metrics:read',
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        properties: { since: TIME_ARG('Start of the window (default 30d)'), until: TIME_ARG('End of the window (exclusive; default now)'), project: PROJECT_ARG },
      },
      outputSchema: {
        type: 'object',
        properties: {
          project: { type: ['string', 'null'] },
          from: { type: 'string' },
          to: { type: 'string' },
          deploymentFrequencyPerWeek: { type: 'number' },
          deployments: { type: 'number' },
          leadTimeMs: { type: 'object', properties: { p50: NUM_OR_NULL, p90: NUM_OR_NULL } },
          changeFailureRate: NUM_OR_NULL,
          timeToRestoreMs: { type: 'object', properties: { p50: NUM_OR_NULL } },
          sample: { type: 'object' },
          note: { type: ['string', 'null'] },
        },
        required: ['project', 'deploymentFrequencyPerWeek', 'deployments', 'leadTimeMs', 'changeFailureRate', 'timeToRestoreMs', 'sample', 'note'],
      },
    },
    (args) => {
      const now = Date.now();
      const since = time('since', args.since ?? '30d', now) as number;
      const until = time('until', args.until, now) ?? now;
      if (until <= since) throw new Error(`until (${iso(until)}) must be after since (${iso(since)})`);
      const d = queries.dora({ project: args.project ?? null, since, until });
      return { project: args.project ?? null, from: iso(since), to: iso(until), ...d, note: note(queries, args.project) };
    },
  );
}
