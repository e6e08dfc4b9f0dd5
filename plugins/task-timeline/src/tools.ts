// task-timeline's MCP tools: devflow_context, task_timeline (everyday) and tasks_list.
import { parseSince, type PluginContext } from '@devflow/plugin-sdk';
import { buildContext, type ContextView, renderContext } from './context.js';
import type { IssueKeys } from './keys.js';
import type { TimelineQueries } from './queries.js';
import { buildTimeline, renderTasks, renderTimeline, type TaskSummaryView, taskSummary, type TimelineView } from './timeline-view.js';

const PROJECT = { type: 'string', minLength: 1, maxLength: 4096, description: 'Project root path as in events; omit for the most recently active project.' } as const;
const SINCE = { type: 'string', maxLength: 64, description: 'ISO time, epoch ms, or a duration back from now such as "24h" or "7d".' } as const;
const READ = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const;
const NUM = { type: 'number' } as const;
const NUM_OR_NULL = { type: ['number', 'null'] } as const;
const STR_OR_NULL = { type: ['string', 'null'] } as const;

function since(v: string | undefined, now: number): number | null {
  if (v === undefined) return null;
  const t = parseSince(v, now);
  if (t === undefined) throw new Error(`since "${v.slice(0, 64)}" is not an ISO time, epoch ms or a duration like "24h"`);
  return t;
}

export interface ToolDeps {
  queries: TimelineQueries;
  keys: IssueKeys;
  hotFilesHours: number;
  now: () => number;
}

export function registerTimelineTools(ctx: PluginContext, d: ToolDeps): { context(project?: string): ContextView } {
  const context = (project?: string) => buildContext(d.queries, d.keys, { ...(project !== undefined ? { project } : {}), now: d.now(), hotFilesHours: d.hotFilesHours });

  ctx.tools.register(
    {
      name: 'devflow_context',
      title: 'Where am I (in-loop context)',
      group: 'tasks',
      everyday: true,
      description:
        'A compact snapshot (well under 1 KB) of where the developer stands right now, for an assistant in the middle of work: project (the most recently active, or the one given), checked-out branch and task (issue key or branch), development stage, time on the task (and active time), whether tests are red since when and which fail (top 3), the last green commit, the hot files of the last hours, and open bottlenecks. Call it at the start of a task or when unsure what the user is working on.',
      permission: 'tasks:read',
      annotations: READ,
      inputSchema: { type: 'object', additionalProperties: false, properties: { project: PROJECT } },
      outputSchema: {
        type: 'object',
        properties: {
          project: STR_OR_NULL,
          branch: STR_OR_NULL,
          task: STR_OR_NULL,
          stage: { type: ['object', 'null'] },
          onTask: { type: ['object', 'null'] },
          tests: { type: 'object', properties: { state: { enum: ['red', 'green', 'none'] }, since: NUM_OR_NULL, runs: { type: 'integer' }, failing: { type: 'array', items: { type: 'string' } }, lastRunAt: NUM_OR_NULL }, required: ['state', 'since', 'runs', 'failing', 'lastRunAt'] },
          lastGreenCommit: { type: ['object', 'null'] },
          hotFiles: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, edits: { type: 'integer' } }, required: ['path', 'edits'] } },
          bottlenecks: { type: 'object', properties: { open: { type: 'integer' }, top: { type: 'array', items: { type: 'string' } } }, required: ['open', 'top'] },
          note: { type: 'string' },
          text: { type: 'string' },
        },
        required: ['project', 'branch', 'task', 'stage', 'onTask', 'tests', 'lastGreenCommit', 'hotFiles', 'bottlenecks', 'text'],
      },
      // What the assistant reads: the compact lines (at most CONTEXT_TEXT_BUDGET bytes), not the JSON.
      // The same text stays in the output for API users.
      render: (v) => {
        const c = v as ContextView;
        return typeof c.text === 'string' ? c.text : renderContext(c);
      },
    },
    (args) => context(args.project) as never,
  );

  ctx.tools.register(
    {
      name: 'task_timeline',
      title: 'Task timeline',
      group: 'tasks',
      everyday: true,
      description:
        'The ordered story of one task (a branch, or an issue key like PROJ-123 found in branch names and commits): edit bursts ("12 edits to 5 files in src/api"), AI sessions, test/build/deploy runs, commits with a narrative ("commit abc1234: 70% AI-assisted, after 3 red test runs and 2 Claude sessions, PROJ-123"), merges, deploys, and PR/CI/issue events from integrations. Default task: the one checked out now. Without since: the most recent `limit` entries; with since: entries from then on. Use it to recap what happened on a task or to write a PR description.',
      permission: 'tasks:read',
      annotations: READ,
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          task: { type: 'string', minLength: 1, maxLength: 300, description: 'Issue key (PROJ-123) or branch name; omit for the current task.' },
          project: PROJECT,
          limit: { type: 'integer', minimum: 1, maximum: 200, default: 30 },
          since: SINCE,
        },
      },
      outputSchema: {
        type: 'object',
        properties: {
          project: STR_OR_NULL,
          task: STR_OR_NULL,
          branch: STR_OR_NULL,
          stats: { type: ['object', 'null'], properties: { entries: { type: 'integer' }, activeMs: NUM, firstTs: NUM, lastTs: NUM }, required: ['entries', 'activeMs', 'firstTs', 'lastTs'] },
          since: NUM_OR_NULL,
          entries: { type: 'array', items: { type: 'object', properties: { ts: NUM, kind: { type: 'string' }, summary: { type: 'string' }, eventId: { type: 'string' }, facts: { type: 'object' } }, required: ['ts', 'kind', 'summary', 'eventId', 'facts'] } },
          more: { type: 'boolean' },
          note: { type: 'string' },
        },
        required: ['project', 'task', 'branch', 'stats', 'since', 'entries', 'more'],
      },
      // A header line, then one line per entry.
      render: (v) => renderTimeline(v as TimelineView),
    },
    (args) =>
      buildTimeline(d.queries, d.keys, {
        ...(args.task !== undefined ? { task: args.task } : {}),
        ...(args.project !== undefined ? { project: args.project } : {}),
        limit: args.limit,
        since: since(args.since, d.now()),
      }) as never,
  );

  ctx.tools.register(
    {
      name: 'tasks_list',
      title: 'Recent tasks',
      group: 'tasks',
      description:
        'Tasks (issue keys or branches) with activity since a time, most recently active first: first and last activity, active time, edits, commits, AI sessions, test runs (red ones), current test state, merged and deployed. Filter by project. Use it to find a task key for task_timeline or for a stand-up overview.',
      permission: 'tasks:read',
      annotations: READ,
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        properties: { project: PROJECT, since: { ...SINCE, default: '30d' }, limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
      },
      outputSchema: {
        type: 'object',
        properties: { tasks: { type: 'array', items: { type: 'object' } }, more: { type: 'boolean' } },
        required: ['tasks', 'more'],
      },
      // One line per task.
      render: (v) => {
        const out = v as { tasks: TaskSummaryView[]; more: boolean };
        return renderTasks(out.tasks, out.more);
      },
    },
    (args) => {
      const from = since(args.since, d.now()) ?? Number.MIN_SAFE_INTEGER;
      const rows = d.queries.tasks(args.project ?? null, from, args.limit + 1);
      const tasks = rows.slice(0, args.limit).map(taskSummary);
      return { tasks, more: rows.length > args.limit } as never;
    },
  );

  return { context };
}
