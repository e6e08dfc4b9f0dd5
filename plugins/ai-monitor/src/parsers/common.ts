import type { RecordFacts, Usage } from './types.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A bounded, printable identifier (ids, model and tool names, branches); undefined otherwise. */
export function str(v: unknown, max = 200): string | undefined {
  if (typeof v !== 'string' || v.length === 0) return undefined;
  // eslint-disable-next-line no-control-regex
  const clean = v.replace(/[\u0000-\u001f\u007f]/g, '');
  return clean.length > max ? clean.slice(0, max) : clean || undefined;
}

/** A non-negative finite count; 0 for anything else. */
export function num(v: unknown): number {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

export function timeOf(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : null;
}

/** `mcp__server__tool` (Claude Code, Codex, Qwen) → `server/tool`; other names unchanged. */
export function toolName(name: string): string {
  const m = /^mcp__(.+?)__(.+)$/.exec(name);
  return m ? `${m[1]}/${m[2]}` : name;
}

/** Gemini-style usage (prompt count includes cached tokens; thoughts are output). */
export function geminiUsage(prompt: unknown, candidates: unknown, cached: unknown, thoughts: unknown): Usage {
  const c = num(cached);
  return { input: Math.max(0, num(prompt) - c), output: num(candidates) + num(thoughts), cached: c };
}

/** The envelope fields every JSONL record of Claude Code and Qwen Code carries. */
export function envelope(rec: Obj, fallbackSession: string | undefined): RecordFacts {
  const facts: RecordFacts = { ts: timeOf(rec.timestamp) };
  const sessionId = str(rec.sessionId) ?? fallbackSession;
  if (sessionId) facts.sessionId = sessionId;
  const cwd = str(rec.cwd, 4096);
  if (cwd) facts.cwd = cwd;
  const branch = str(rec.gitBranch);
  if (branch) facts.branch = branch;
  return facts;
}
