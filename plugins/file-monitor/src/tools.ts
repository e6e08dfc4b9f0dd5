import type { PluginContext } from '@devflow/plugin-sdk';
import { parseSince } from '@devflow/plugin-sdk';
import { resolveProject, toActivity } from './activity.js';
import type { HotspotRollup } from './file-store.js';
import type { Config } from './plugin.js';

/** The plugin's tools: they read the rollup and the event log, so they run in every process. */
export function registerTools(ctx: PluginContext<Config>, rollup: HotspotRollup): void {
  const sinceOf = (value: string | undefined, fallback: string) => {
    const since = parseSince(value ?? fallback);
    if (since === undefined) throw new Error(`since "${value}" is not a duration such as "24h" or "7d", an ISO time or epoch milliseconds`);
    return since;
  };

  ctx.tools.register(
    {
      name: 'files_hotspots',
      title: 'Most-changed files',
      group: 'files',
      everyday: true,
      description:
        'The files edited most often in a time window, most changed first, with lines added/removed and when each last changed. Bulk rewrites (formatters, checkouts) are counted apart in bulkChanges. Use it for "what have I been working on", churn hotspots, or where to look for risk. Window granularity is one hour.',
      permission: 'files:read',
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          since: { type: 'string', maxLength: 64, default: '7d', description: 'Duration back from now ("24h", "7d"), ISO time or epoch ms.' },
          project: { type: 'string', maxLength: 4096, description: 'Project root path (or its directory name); default every project.' },
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
        },
      },
      outputSchema: {
        type: 'object',
        properties: {
          since: { type: 'string' },
          files: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                project: { type: 'string' },
                path: { type: 'string' },
                changes: { type: 'integer' },
                bulkChanges: { type: 'integer' },
                linesAdded: { type: 'integer' },
                linesRemoved: { type: 'integer' },
                lastChanged: { type: 'string' },
              },
              required: ['project', 'path', 'changes', 'bulkChanges', 'linesAdded', 'linesRemoved', 'lastChanged'],
            },
          },
        },
        required: ['since', 'files'],
      },
    },
    (args) => {
      const since = sinceOf(args.since, '7d');
      const project = args.project === undefined ? undefined : resolveProject(args.project, ctx.projects);
      return { since: new Date(since).toISOString(), files: rollup.top(since, project, args.limit) };
    },
  );

  ctx.tools.register(
    {
      name: 'activity_recent',
      title: 'Recent development activity',
      group: 'activity',
      everyday: true,
      description:
        'The recent activity log across all DevFlow monitors (file edits, renames and bulk changes, commits, test runs, AI sessions, system events), newest first, one readable summary line per event. Filter by time, project and event-type prefix ("git-monitor.*"); page with the returned cursor. Use it to answer "what happened recently" or to see the evidence behind a metric.',
      permission: 'activity:read',
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          since: { type: 'string', maxLength: 64, description: 'Duration back from now ("2h", "1d"), ISO time or epoch ms; default no lower bound.' },
          project: { type: 'string', maxLength: 4096, description: 'Project root path (or its directory name).' },
          types: {
            type: 'array',
            maxItems: 20,
            items: { type: 'string', maxLength: 200, pattern: '^[a-z0-9-]+(\\.[a-z0-9-]+)*(\\.\\*)?$' },
            description: 'Event types or prefixes ending in ".*" (e.g. "git-monitor.*"); default every monitor.',
          },
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 30 },
          cursor: { type: 'integer', minimum: 0, description: 'The "next" value of the previous page.' },
        },
      },
      outputSchema: {
        type: 'object',
        properties: { events: { type: 'array', items: { type: 'object' } }, next: { type: ['integer', 'null'] } },
        required: ['events', 'next'],
      },
    },
    (args) => {
      const since = args.since === undefined ? undefined : sinceOf(args.since, '');
      const types = args.types?.length ? args.types.map((t) => (t.includes('.') ? t : `${t}.*`)) : ctx.config.activitySources.map((s) => `${s}.*`);
      const page = ctx.storage.events.query({
        types,
        ...(args.project !== undefined ? { project: resolveProject(args.project, ctx.projects) } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(args.cursor !== undefined ? { after: args.cursor } : {}),
        limit: args.limit,
        descending: true,
      });
      return { events: page.events.map((e) => toActivity(e)), next: page.next };
    },
  );
}
