// stage-analyzer's MCP tools: answered from its own tables, bounded, times as ISO strings.
import { parseSince, type PluginContext } from '@devflow/plugin-sdk';
import type { StageAnalyzerConfig } from './config.js';
import type { StageQueries } from './queries.js';
import { renderCurrent, renderHistory, type CurrentView, type HistoryView } from './render.js';
import type { Evidence } from './stages.js';

const PROJECT_ARG = { type: 'string', minLength: 1, maxLength: 4096, description: 'Project root path as in events (or its directory name). Omit for the most recently active project.' } as const;
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const evidenceSchema = {
  type: 'array',
  maxItems: 5,
  items: { type: 'object', properties: { rule: { type: 'string' }, eventType: { type: 'string' }, eventId: { type: 'string' }, detail: { type: 'string' } }, required: ['rule', 'eventType', 'detail'] },
} as const;
const compact = (ev: Evidence[]) => ev.map((e) => ({ rule: e.rule, eventType: e.eventType, ...(e.eventId ? { eventId: e.eventId } : {}), detail: e.detail }));

function unknownNote(arg: string | undefined, known: string[]): string {
  if (arg === undefined) return 'no project has stage signals yet (file, git, test or AI activity is needed)';
  const list = known.slice(0, 10).join(', ');
  return `no stage data for project "${arg}"${known.length ? `; known projects: ${list}${known.length > 10 ? ', …' : ''}` : '; no project has stage signals yet'}`;
}

export function registerStageTools(ctx: PluginContext<StageAnalyzerConfig>, q: StageQueries): void {
  ctx.tools.register(
    {
      name: 'stage_current',
      title: 'Current development stage',
      group: 'stages',
      everyday: true,
      description:
        'Where a project is in its life cycle: the current stage (prd, planning, erd, wireframe, screen-design, design, frontend, backend, ai-collaboration, coding, git-management, deployment, operation), the coding sub-stage (e.g. unit-testing, refactoring), since when, a confidence 0..1 and up to 5 pieces of evidence (rule, event, detail). Project: a root path or directory name; omitted = the most recently active project. Use it to tailor advice to what the developer is doing now.',
      permission: 'stages:read',
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      inputSchema: { type: 'object', additionalProperties: false, properties: { project: PROJECT_ARG } },
      outputSchema: {
        type: 'object',
        properties: {
          project: { type: ['string', 'null'] },
          stage: { type: ['string', 'null'] },
          subStage: { type: ['string', 'null'] },
          since: { type: ['string', 'null'] },
          confidence: { type: ['number', 'null'] },
          evidence: evidenceSchema,
          lastEventAt: { type: ['string', 'null'] },
          leading: { type: 'array', maxItems: 3, items: { type: 'object', properties: { stage: { type: 'string' }, share: { type: 'number' } }, required: ['stage', 'share'] } },
          note: { type: 'string' },
        },
        required: ['project', 'stage', 'subStage', 'since', 'confidence', 'evidence', 'lastEventAt', 'leading'],
      },
      render: (out) => renderCurrent(out as unknown as CurrentView),
    },
    (args) => {
      const { project, known } = q.resolve(args.project);
      const snap = project === null ? null : q.snapshot(project);
      if (!snap) return { project: args.project ?? null, stage: null, subStage: null, since: null, confidence: null, evidence: [], lastEventAt: null, leading: [], note: unknownNote(args.project, known) };
      const c = snap.current;
      return {
        project: snap.project,
        stage: c?.stage ?? null,
        subStage: c?.subStage ?? null,
        since: iso(c?.since ?? null),
        confidence: c?.confidence ?? null,
        evidence: compact(c?.evidence ?? []),
        lastEventAt: iso(snap.lastEventAt),
        leading: snap.leading,
        ...(c ? {} : { note: 'not enough signals yet for a stage; "leading" shows the scores so far' }),
      };
    },
  );

  ctx.tools.register(
    {
      name: 'stage_history',
      title: 'Stage history and time per stage',
      group: 'stages',
      description:
        'The stage transitions of a project, newest first (from, to, sub-stage, when, how long it lasted, confidence, evidence), and the time spent in each stage since `since` ("30d", "2w", ISO time; default: all). Project: root path or directory name; omitted = the most recently active project. limit 1-50 (default 20); `truncated` says when older transitions were left out.',
      permission: 'stages:read',
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          project: PROJECT_ARG,
          since: { type: 'string', maxLength: 64, description: 'ISO time, epoch ms, or a duration back from now such as "7d".' },
          limit: { type: 'integer', minimum: 1, maximum: 50, default: 20 },
        },
      },
      outputSchema: {
        type: 'object',
        properties: {
          project: { type: ['string', 'null'] },
          since: { type: ['string', 'null'] },
          transitions: { type: 'array', maxItems: 50, items: { type: 'object' } },
          total: { type: 'integer' },
          truncated: { type: 'boolean' },
          timePerStage: { type: 'array', items: { type: 'object', properties: { stage: { type: 'string' }, ms: { type: 'integer' }, share: { type: 'number' } }, required: ['stage', 'ms', 'share'] } },
          note: { type: 'string' },
        },
        required: ['project', 'since', 'transitions', 'total', 'truncated', 'timePerStage'],
      },
      render: (out) => renderHistory(out as unknown as HistoryView),
    },
    (args) => {
      let since = 0;
      if (args.since !== undefined) {
        const t = parseSince(args.since);
        if (t === undefined) throw new Error(`since "${args.since}" is not an ISO time, epoch ms or a duration like "7d"`);
        since = t;
      }
      const { project, known } = q.resolve(args.project);
      if (project === null) return { project: args.project ?? null, since: iso(since || null), transitions: [], total: 0, truncated: false, timePerStage: [], note: unknownNote(args.project, known) };
      const { transitions, total } = q.history(project, since, args.limit);
      const durations = q.durations(project, since);
      const all = durations.reduce((n, d) => n + d.ms, 0);
      return {
        project,
        since: iso(since || null),
        transitions: transitions.map((t) => ({ ...t, at: iso(t.at), endedAt: iso(t.endedAt), evidence: compact(t.evidence) })),
        total,
        truncated: total > transitions.length,
        timePerStage: durations.map((d) => ({ ...d, share: all > 0 ? Math.round((d.ms / all) * 1000) / 1000 : 0 })),
        ...(total ? {} : { note: 'no stage transitions in this period' }),
      };
    },
  );
}
