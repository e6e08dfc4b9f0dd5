// The detector's MCP tools: bottlenecks_list (everyday) and bottlenecks_explain. Both read the
// plugin's own indexed tables only.
import { parseSince, type PluginContext } from '@devflow/plugin-sdk';
import type { FactStore } from './facts.js';
import type { Finding, FindingStore } from './findings.js';
import { renderExplain, renderList, type FindingView } from './render.js';
import { RULE_IDS, SEVERITIES, severityRank, type RuleProblem, type Severity } from './rule-config.js';

const EVIDENCE = {
  type: 'array',
  maxItems: 5,
  items: { type: 'object', properties: { detail: { type: 'string' }, eventId: { type: 'string' }, value: { type: ['number', 'string'] } }, required: ['detail'] },
} as const;

const FINDING = {
  type: 'object',
  properties: {
    key: { type: 'string' }, rule: { type: 'string' }, project: { type: 'string' }, severity: { enum: SEVERITIES }, status: { enum: ['open', 'resolved'] },
    title: { type: 'string' }, subject: { type: 'string' }, evidence: EVIDENCE, suggestion: { type: 'string' },
    openedAt: { type: 'string' }, resolvedAt: { type: 'string' }, durationMs: { type: 'integer' },
  },
  required: ['key', 'rule', 'project', 'severity', 'status', 'title', 'subject', 'evidence', 'suggestion', 'openedAt'],
} as const;

/** A finding with ISO times, as tools show it. */
export function findingView(f: Finding) {
  return {
    key: f.key, rule: f.rule, project: f.project, severity: f.severity, status: f.status, title: f.title, subject: f.subject, evidence: f.evidence, suggestion: f.suggestion,
    openedAt: new Date(f.openedAt).toISOString(),
    ...(f.resolvedAt !== undefined ? { resolvedAt: new Date(f.resolvedAt).toISOString(), durationMs: f.durationMs } : {}),
  };
}

const normProject = (p: string | undefined): string | null => (p === undefined ? null : p.length > 1 ? p.replace(/[\\/]+$/, '') : p);

export function registerTools(ctx: PluginContext, findings: FindingStore, facts: FactStore, problems: readonly RuleProblem[]): void {
  const problemLines = problems.map((p) => `rule "${p.rule}"${p.project ? ` in ${p.project}` : ''}: ${p.message}`).slice(0, 10);
  ctx.tools.register(
    {
      name: 'bottlenecks_list',
      title: 'Bottlenecks',
      group: 'bottlenecks',
      everyday: true,
      description:
        'What slows work down, found by rules and anomaly detection: long-lived branches, tests red for long, flaky tests, slow or slowing builds and test runs, hot files with high churn, too long in one stage, work spread over many branches, PRs waiting for review. Each finding has a severity, evidence (event ids and values) and a concrete suggestion. Open findings by default (most severe first); status "resolved" or "all" for history. Omit project for all projects.',
      permission: 'bottlenecks:read',
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          project: { type: 'string', minLength: 1, maxLength: 4096, description: 'Project root path as in events; omit for all projects.' },
          status: { enum: ['open', 'resolved', 'all'], default: 'open' },
          severity: { enum: SEVERITIES, default: 'info', description: 'Minimum severity.' },
          rule: { enum: RULE_IDS, description: 'Only this rule.' },
          since: { type: 'string', maxLength: 64, description: 'Resolved findings: resolved at or after this ("7d", "24h", ISO time).' },
          limit: { type: 'integer', minimum: 1, maximum: 50, default: 10 },
        },
      },
      outputSchema: {
        type: 'object',
        properties: {
          findings: { type: 'array', items: FINDING },
          openTotal: { type: 'integer' },
          truncated: { type: 'boolean' },
          note: { type: 'string' },
          problems: { type: 'array', items: { type: 'string' } },
        },
        required: ['findings', 'openTotal', 'truncated'],
      },
      render: (v) => renderList(v as unknown as Parameters<typeof renderList>[0]),
    },
    (args) => {
      const project = normProject(args.project);
      const since = args.since === undefined ? 0 : parseSince(args.since);
      if (since === undefined) throw new Error(`since "${args.since}" is not a duration like "7d", epoch ms or an ISO time`);
      const minRank = severityRank(args.severity as Severity);
      const rule = args.rule ?? null;
      const q = { project, minRank, rule, since, limit: args.limit + 1 };
      let rows: Finding[] = args.status === 'resolved' ? [] : findings.list({ ...q, status: 'open' });
      if (args.status !== 'open' && rows.length <= args.limit) rows = [...rows, ...findings.list({ ...q, status: 'resolved', limit: args.limit + 1 - rows.length })];
      const truncated = rows.length > args.limit;
      const out: Record<string, unknown> = { findings: rows.slice(0, args.limit).map(findingView), openTotal: findings.countOpen(project, minRank), truncated };
      if (!rows.length) {
        out.note =
          project !== null && facts.clock(project) === null
            ? `no events seen for project "${project}" yet: findings come from git, test-run, stage and PR/MR events of that project`
            : `no ${args.status === 'all' ? '' : `${args.status} `}bottlenecks${project ? ` in ${project}` : ''} at severity ${args.severity} or above`;
      }
      if (problemLines.length) out.problems = problemLines;
      return out as never;
    },
  );

  ctx.tools.register(
    {
      name: 'bottlenecks_explain',
      title: 'Explain a bottleneck',
      group: 'bottlenecks',
      description: 'The full record of one finding by its key (from bottlenecks_list): severity, every evidence item with event ids and values, the suggestion, when it opened and (if it did) resolved, and how often it resolved before.',
      permission: 'bottlenecks:read',
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      inputSchema: { type: 'object', additionalProperties: false, required: ['key'], properties: { key: { type: 'string', minLength: 3, maxLength: 10_000 } } },
      outputSchema: { type: 'object', properties: { finding: FINDING, resolvedBefore: { type: 'integer' } }, required: ['finding', 'resolvedBefore'] },
      render: (v) => renderExplain(v as unknown as { finding: FindingView; resolvedBefore: number }),
    },
    ({ key }) => {
      const r = findings.explain(key);
      if (!r) throw new Error(`no finding with key "${key.slice(0, 200)}"; call bottlenecks_list (status "all") for the keys`);
      return { finding: findingView(r.finding), resolvedBefore: r.resolvedBefore } as never;
    },
  );
}
