import { primaryModel, type SessionState } from './aggregate.js';

const MAX_EVENT_TOOLS = 50;

/** The payload of `ai-monitor.session.updated` and `ai-monitor.session.ended`. */
export interface SessionEventData {
  [key: string]: unknown;
  tool: string;
  sessionId: string;
  project: string | null;
  branch: string | null;
  model: string | null;
  models: string[];
  startedAt: number | null;
  lastActivityAt: number | null;
  activeMs: number;
  prompts: number;
  toolCalls: Record<string, number>;
  toolCallsTotal: number;
  tokens: { input: number; output: number; cached: number };
  /** Only on session.ended: `idle` (no record for sessionIdleMs) or `transcript` (it said so). */
  reason?: 'idle' | 'transcript';
}

/** The most used tool names (at most 50), most used first. */
export function topTools(calls: Readonly<Record<string, number>>, limit: number): [string, number][] {
  return Object.entries(calls)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit);
}

export function sessionEvent(s: SessionState, project: string | null, reason: 'idle' | 'transcript' | null): SessionEventData {
  const data: SessionEventData = {
    tool: s.tool,
    sessionId: s.sessionId,
    project,
    branch: s.branch,
    model: primaryModel(s.models),
    models: Object.keys(s.models),
    startedAt: s.startedAt,
    lastActivityAt: s.lastAt,
    activeMs: s.activeMs,
    prompts: s.prompts,
    toolCalls: Object.fromEntries(topTools(s.toolCalls, MAX_EVENT_TOOLS)),
    toolCallsTotal: s.toolCallsTotal,
    tokens: { ...s.tokens },
  };
  if (reason) data.reason = reason;
  return data;
}
