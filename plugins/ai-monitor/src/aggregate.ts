import type { RecordFacts, Usage } from './parsers/types.js';

/** Most distinct tool names kept per session; the rest are counted under OTHER_TOOLS. */
export const MAX_TOOL_NAMES = 100;
export const OTHER_TOOLS = '(other)';
const MAX_MODELS = 20;

/** One session's running totals, as stored in `ai_monitor__sessions`. */
export interface SessionState {
  key: string;
  tool: string;
  sessionId: string;
  cwd: string | null;
  projectHash: string | null;
  branch: string | null;
  /** Model → responses seen from it. */
  models: Record<string, number>;
  startedAt: number | null;
  lastAt: number | null;
  activeMs: number;
  prompts: number;
  toolCalls: Record<string, number>;
  toolCallsTotal: number;
  tokens: Usage;
  transcriptEnded: boolean;
}

/**
 * The ids already counted for a session, with the usage counted for each: what makes re-reading a
 * transcript (restart, replaced or truncated file, a message written twice) count nothing twice.
 */
export interface UnitLedger {
  get(unit: string): Usage | undefined;
  put(unit: string, usage: Usage): void;
}

const ZERO: Usage = Object.freeze({ input: 0, output: 0, cached: 0 });

export function newSession(key: string, tool: string, sessionId: string): SessionState {
  return {
    key,
    tool,
    sessionId,
    cwd: null,
    projectHash: null,
    branch: null,
    models: {},
    startedAt: null,
    lastAt: null,
    activeMs: 0,
    prompts: 0,
    toolCalls: {},
    toolCallsTotal: 0,
    tokens: { input: 0, output: 0, cached: 0 },
    transcriptEnded: false,
  };
}

function bump(map: Record<string, number>, key: string, limit: number, other: string, by = 1): void {
  if (map[key] === undefined && Object.keys(map).length >= limit) key = other;
  map[key] = (map[key] ?? 0) + by;
}

/**
 * Fold one record's facts into a session. Active time adds each forward gap between records, at
 * most `gapCapMs` per gap; records older than the newest one seen add no time. Prompts, tool calls
 * and responses count once per id; a response seen again adds only the usage that grew. Codex's
 * cumulative totals replace the token counts when larger. Returns whether anything changed.
 */
export function applyFacts(s: SessionState, f: RecordFacts, units: UnitLedger, gapCapMs: number): boolean {
  let changed = false;
  if (f.cwd && !s.cwd) (s.cwd = f.cwd), (changed = true);
  if (f.projectHash && !s.projectHash) (s.projectHash = f.projectHash), (changed = true);
  if (f.branch && f.branch !== s.branch) (s.branch = f.branch), (changed = true);
  if (f.ts !== null) {
    if (s.startedAt === null || f.ts < s.startedAt) (s.startedAt = f.ts), (changed = true);
    if (s.lastAt === null) (s.lastAt = f.ts), (changed = true);
    else if (f.ts > s.lastAt) {
      s.activeMs += Math.min(f.ts - s.lastAt, gapCapMs);
      s.lastAt = f.ts;
      s.transcriptEnded = false; // records after an end: the session was resumed
      changed = true;
    }
  }
  if (f.model && s.models[f.model] === undefined && !f.usage) {
    bump(s.models, f.model, MAX_MODELS, OTHER_TOOLS, 0);
    changed = true;
  }
  if (f.promptId && !units.get(f.promptId)) {
    units.put(f.promptId, ZERO);
    s.prompts++;
    changed = true;
  }
  for (const call of f.toolCalls ?? []) {
    if (units.get(call.id)) continue;
    units.put(call.id, ZERO);
    bump(s.toolCalls, call.name, MAX_TOOL_NAMES, OTHER_TOOLS);
    s.toolCallsTotal++;
    changed = true;
  }
  if (f.usage) {
    const prev = units.get(f.usage.id);
    const u = f.usage.usage;
    if (!prev) {
      units.put(f.usage.id, u);
      s.tokens.input += u.input;
      s.tokens.output += u.output;
      s.tokens.cached += u.cached;
      if (f.model) bump(s.models, f.model, MAX_MODELS, OTHER_TOOLS);
      changed = true;
    } else if (u.input > prev.input || u.output > prev.output || u.cached > prev.cached) {
      const max = { input: Math.max(u.input, prev.input), output: Math.max(u.output, prev.output), cached: Math.max(u.cached, prev.cached) };
      s.tokens.input += max.input - prev.input;
      s.tokens.output += max.output - prev.output;
      s.tokens.cached += max.cached - prev.cached;
      units.put(f.usage.id, max);
      changed = true;
    }
  }
  if (f.cumulative) {
    for (const k of ['input', 'output', 'cached'] as const) {
      if (f.cumulative[k] > s.tokens[k]) (s.tokens[k] = f.cumulative[k]), (changed = true);
    }
  }
  // An end record counts only when nothing newer was seen (a re-read must not end a resumed session).
  if (f.ended && !s.transcriptEnded && (f.ts === null || s.lastAt === null || f.ts >= s.lastAt)) (s.transcriptEnded = true), (changed = true);
  return changed;
}

/** The model a session used most (ties: the first seen). */
export function primaryModel(models: Readonly<Record<string, number>>): string | null {
  let best: string | null = null;
  let n = -1;
  for (const [m, c] of Object.entries(models)) if (c > n) (best = m), (n = c);
  return best;
}
