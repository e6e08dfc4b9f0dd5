import type { PluginContext } from '@devflow/plugin-sdk';
import type { CommitStore } from './attribution.js';
import type { ProjectMatcher } from './paths.js';
import type { SessionStore } from './session-store.js';
import { parseSince } from '@devflow/plugin-sdk';
import { MAX_SESSIONS, summarize } from './summary.js';

const tokens = {
  type: 'object',
  properties: { input: { type: 'integer' }, output: { type: 'integer' }, cached: { type: 'integer' } },
  required: ['input', 'output', 'cached'],
} as const;

/** Registers `ai_sessions_summary` (runs in every process: it only reads the plugin's tables). */
export function registerSummaryTool(ctx: PluginContext, d: { store: SessionStore; commits: CommitStore; matcher: ProjectMatcher; now: () => number }): void {
  ctx.tools.register(
    {
      name: 'ai_sessions_summary',
      title: 'AI assistant sessions summary',
      group: 'ai',
      everyday: true,
      description:
        'How AI coding assistants (Claude Code, Codex CLI, Gemini CLI, Qwen Code) were used, per tool and main model: sessions, active minutes, prompts, tokens (input/output/cached), tool calls with the most used tools (MCP tools as server/tool), and commits attributed to AI assistance. Filter by time ("since": 24h, 7d, ISO time) and project root. Counts come from local transcripts; no prompt text is kept.',
      permission: 'ai:read',
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          since: { type: 'string', maxLength: 64, default: '7d', description: 'Sessions active since: a duration back from now ("30m", "24h", "7d", "2w"), an ISO time or epoch ms.' },
          project: { type: 'string', maxLength: 4096, description: 'Only sessions in this project root (absolute path, as configured).' },
          tool: { enum: ['claude', 'codex', 'gemini', 'qwen'], description: 'Only this assistant.' },
          topTools: { type: 'integer', minimum: 1, maximum: 20, default: 5, description: 'How many of the most used tools to list per row.' },
        },
      },
      outputSchema: {
        type: 'object',
        properties: {
          since: { type: 'string' },
          project: { type: ['string', 'null'] },
          rows: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                tool: { type: 'string' },
                model: { type: ['string', 'null'] },
                sessions: { type: 'integer' },
                activeMinutes: { type: 'number' },
                prompts: { type: 'integer' },
                tokens,
                toolCalls: { type: 'integer' },
                topTools: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, count: { type: 'integer' } }, required: ['name', 'count'] } },
              },
              required: ['tool', 'model', 'sessions', 'activeMinutes', 'prompts', 'tokens', 'toolCalls', 'topTools'],
            },
          },
          totals: { type: 'object' },
          aiCommits: { type: 'object' },
          truncated: { type: 'boolean' },
        },
        required: ['since', 'project', 'rows', 'totals', 'aiCommits', 'truncated'],
      },
    },
    (args) => {
      const since = parseSince(args.since, d.now());
      if (since === undefined) throw new Error(`since "${args.since}" is not a duration like "24h" or "7d", an ISO time or epoch ms`);
      const project = args.project?.replace(/[\\/]+$/, '') || null;
      const found = d.store.activeSince(since, MAX_SESSIONS + 1);
      const sessions = found
        .slice(0, MAX_SESSIONS)
        .filter((s) => (!args.tool || s.tool === args.tool) && (!project || (d.matcher.resolve(s.cwd, s.projectHash) ?? s.project) === project));
      const byTool = d.commits.byTool(since, project ?? undefined);
      if (args.tool) for (const t of [...byTool.keys()]) if (t !== args.tool) byTool.delete(t);
      return summarize(sessions, {
        since,
        project,
        topN: args.topTools,
        truncated: found.length > MAX_SESSIONS,
        commitsByTool: byTool,
        commitsTotal: args.tool ? (byTool.get(args.tool) ?? 0) : d.commits.total(since, project ?? undefined),
      });
    },
  );
}
