import { definePlugin, parseSince } from '@devflow/plugin-sdk';
import { registerAdminTools } from './admin-tools.js';
import { renderEvents, renderStatus, statusView, viewEvent } from './event-view.js';

const PLUGIN_STATES = ['registered', 'resolved', 'starting', 'started', 'stopping', 'stopped', 'failed', 'skipped', 'standby', 'disabled'];

const pluginSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    version: { type: ['string', 'null'] },
    state: { enum: PLUGIN_STATES },
    reason: { type: ['string', 'null'] },
    lastError: { type: ['string', 'null'] },
    tools: { type: 'integer', minimum: 0, description: 'How many tools it offers (their names: tools/list).' },
  },
  required: ['id', 'state'],
} as const;

/**
 * Kernel introspection for assistants and admins: what is running, what failed and why, and a
 * bounded window onto the event log.
 */
export default definePlugin({
  id: 'admin',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: 'Kernel status, plugin states and event log queries.',
  permissions: ['status:read', 'events:read', 'plugins:manage', 'audit:read'],
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      maxEvents: { type: 'integer', minimum: 1, maximum: 200, default: 50, description: 'Most events one query returns.' },
    },
  },
  start(ctx) {
    ctx.tools.register(
      {
        name: 'devflow_status',
        title: 'DevFlow status',
        group: 'status',
        everyday: true,
        description: 'Health of DevFlow itself: version, uptime, database size and event count, ingest counters, monitor lease, and every plugin with its state and, if it is not running, why. Use it when DevFlow data looks missing or stale.',
        permission: 'status:read',
        annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
        inputSchema: { type: 'object', properties: {}, additionalProperties: false },
        outputSchema: {
          type: 'object',
          properties: {
            version: { type: 'string' },
            uptimeSeconds: { type: 'integer' },
            projects: { type: 'array', items: { type: 'string' } },
            database: { type: 'object' },
            ingest: { type: 'object' },
            monitorLeaseHeld: { type: 'boolean' },
            plugins: { type: 'array', items: pluginSchema },
            projections: { type: 'array', items: { type: 'object', properties: { plugin: { type: 'string' }, name: { type: 'string' }, state: { type: 'string' }, lag: { type: 'integer' } } } },
          },
          required: ['version', 'plugins'],
        },
        render: (v) => renderStatus(v as ReturnType<typeof statusView>),
      },
      () => statusView(ctx.kernel.status()),
    );

    ctx.tools.register(
      {
        name: 'devflow_events_query',
        title: 'Query the DevFlow event log',
        group: 'events',
        everyday: true,
        description: 'Raw DevFlow events (file edits, commits, test runs, AI sessions, plugin lifecycle), newest first, filtered by type or type prefix ("git-monitor.*"), project and time. Output is bounded; page with the returned cursor. Prefer the summary tools for questions about work; use this to look at the underlying evidence.',
        permission: 'events:read',
        annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
        inputSchema: {
          type: 'object',
          additionalProperties: false,
          properties: {
            types: { type: 'array', items: { type: 'string', maxLength: 200, pattern: '^(\\*|[a-z0-9-]+(\\.[a-z0-9-]+)*(\\.\\*)?)$' }, maxItems: 20, description: 'Event types or prefixes ending in ".*".' },
            project: { type: 'string', maxLength: 4096, description: 'Project root path.' },
            since: { type: 'string', maxLength: 64, description: 'ISO time, epoch ms, or a duration back from now such as "24h" or "7d".' },
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 20 },
            cursor: { type: 'integer', minimum: 0, description: 'The "next" value of the previous page.' },
          },
        },
        outputSchema: {
          type: 'object',
          properties: { events: { type: 'array', items: { type: 'object' } }, next: { type: ['integer', 'null'] } },
          required: ['events', 'next'],
        },
        render: (v) => renderEvents(v as Parameters<typeof renderEvents>[0]),
      },
      (args) => {
        const since = args.since === undefined ? undefined : parseSince(args.since);
        if (args.since !== undefined && since === undefined) throw new Error(`since "${args.since}" is not an ISO time, epoch ms or a duration like "24h"`);
        const page = ctx.storage.events.query({
          ...(args.types ? { types: args.types } : {}),
          ...(args.project ? { project: args.project } : {}),
          ...(since !== undefined ? { since } : {}),
          ...(args.cursor !== undefined ? { after: args.cursor } : {}),
          limit: Math.min(args.limit, ctx.config.maxEvents),
          descending: true,
          withDataJson: true,
        });
        return { events: page.events.map((e) => viewEvent(e)), next: page.next };
      },
    );

    registerAdminTools(ctx);

    ctx.resources.register(
      {
        uri: 'devflow://admin/status',
        name: 'status',
        title: 'DevFlow status',
        description: 'DevFlow itself: version, database, ingest counters and every plugin with its state.',
        mimeType: 'application/json',
        permission: 'status:read',
      },
      () => ({ json: statusView(ctx.kernel.status()) }),
    );

    ctx.prompts.register(
      {
        name: 'summarize_my_day',
        title: 'Summarize my day',
        description: 'A stand-up style summary of today\'s work from the DevFlow event log.',
        arguments: [{ name: 'project', description: 'Project root path (default: every project).' }],
        permission: 'events:read',
      },
      (args) =>
        [
          `Summarize my development day${args.project ? ` in ${args.project}` : ''} as a short stand-up update: what I worked on, what is finished, what is blocked.`,
          `Use the devflow_events_query tool with since "24h"${args.project ? ` and project "${args.project}"` : ''}, paging with its cursor, and devflow_status if data looks missing.`,
          'Group by task (branch or issue key). Mention test runs and AI sessions where they matter. Keep it under 150 words.',
        ].join('\n'),
    );
  },
});
