import { primaryModel } from './aggregate.js';
import type { StoredSession } from './session-store.js';
import { topTools } from './session-events.js';

export const MAX_ROWS = 50;
export const MAX_SESSIONS = 20_000;


interface Tokens {
  input: number;
  output: number;
  cached: number;
}

export interface SummaryRow {
  tool: string;
  model: string | null;
  sessions: number;
  activeMinutes: number;
  prompts: number;
  tokens: Tokens;
  toolCalls: number;
  topTools: { name: string; count: number }[];
}

export interface Summary {
  since: string;
  project: string | null;
  rows: SummaryRow[];
  totals: { sessions: number; activeMinutes: number; prompts: number; tokens: Tokens; toolCalls: number };
  aiCommits: { total: number; byTool: { tool: string; commits: number }[] };
  truncated: boolean;
}

const minutes = (ms: number) => Math.round(ms / 6_000) / 10;

/**
 * Sessions grouped by tool and main model (the model a session used most): how many, active time,
 * prompts, tokens, tool calls and the most used tools. A session counts whole in the window when it
 * had any activity since `since`.
 */
export function summarize(
  sessions: readonly StoredSession[],
  opts: { since: number; project: string | null; topN: number; truncated: boolean; commitsByTool: ReadonlyMap<string, number>; commitsTotal: number },
): Summary {
  const groups = new Map<string, { row: SummaryRow; calls: Record<string, number>; activeMs: number }>();
  const totals = { sessions: 0, activeMs: 0, prompts: 0, tokens: { input: 0, output: 0, cached: 0 }, toolCalls: 0 };
  for (const s of sessions) {
    const model = primaryModel(s.models);
    const key = `${s.tool}\0${model ?? ''}`;
    let g = groups.get(key);
    if (!g) {
      g = { row: { tool: s.tool, model, sessions: 0, activeMinutes: 0, prompts: 0, tokens: { input: 0, output: 0, cached: 0 }, toolCalls: 0, topTools: [] }, calls: {}, activeMs: 0 };
      groups.set(key, g);
    }
    for (const target of [g.row, totals]) {
      target.sessions++;
      target.prompts += s.prompts;
      target.toolCalls += s.toolCallsTotal;
      target.tokens.input += s.tokens.input;
      target.tokens.output += s.tokens.output;
      target.tokens.cached += s.tokens.cached;
    }
    g.activeMs += s.activeMs;
    totals.activeMs += s.activeMs;
    for (const [name, n] of Object.entries(s.toolCalls)) g.calls[name] = (g.calls[name] ?? 0) + n;
  }
  const rows = [...groups.values()]
    .map((g) => ({ ...g.row, activeMinutes: minutes(g.activeMs), topTools: topTools(g.calls, opts.topN).map(([name, count]) => ({ name, count })) }))
    .sort((a, b) => b.activeMinutes - a.activeMinutes || b.sessions - a.sessions || a.tool.localeCompare(b.tool));
  return {
    since: new Date(opts.since).toISOString(),
    project: opts.project,
    rows: rows.slice(0, MAX_ROWS),
    totals: { sessions: totals.sessions, activeMinutes: minutes(totals.activeMs), prompts: totals.prompts, tokens: totals.tokens, toolCalls: totals.toolCalls },
    aiCommits: {
      total: opts.commitsTotal,
      byTool: [...opts.commitsByTool].map(([tool, commits]) => ({ tool, commits })).sort((a, b) => b.commits - a.commits || a.tool.localeCompare(b.tool)),
    },
    truncated: opts.truncated || rows.length > MAX_ROWS,
  };
}
