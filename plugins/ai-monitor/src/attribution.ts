import type { SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import { sep } from 'node:path';
import type { Assistant } from './processes.js';

/** Who the trailer or footer names, by the words assistants sign commits with. */
const SIGNATURES: readonly [RegExp, Assistant][] = [
  [/claude|anthropic/i, 'claude'],
  [/codex|openai|chatgpt/i, 'codex'],
  [/gemini|jules/i, 'gemini'],
  [/qwen/i, 'qwen'],
  [/copilot/i, 'copilot'],
  [/cursor/i, 'cursor'],
];
const AI_TRAILER_KEYS = /^(co-authored-by|generated-by|assisted-by|ai-assisted-by|co-developed-by|made-with|generated-with)$/i;
const FOOTER = /generated (with|by) \[?(claude code|codex|openai codex|gemini cli|gemini code assist|qwen code|github copilot|cursor)\]?/gi;

export const TRAILER_CONFIDENCE = 0.9;
export const OVERLAP_ACTIVE_CONFIDENCE = 0.7;
export const OVERLAP_WINDOW_CONFIDENCE = 0.5;
/** A session counts as "active at the commit" with a record this close before it. */
export const ACTIVE_NEAR_MS = 5 * 60_000;

function classify(text: string): Assistant | null {
  for (const [re, tool] of SIGNATURES) if (re.test(text)) return tool;
  return null;
}

/** Trailers as git-monitor may send them (list of lines, {key,value} pairs, a map, or text) → `key: value` lines. */
export function trailerLines(trailers: unknown): string[] {
  if (typeof trailers === 'string') return trailers.split('\n');
  if (Array.isArray(trailers)) {
    return trailers.flatMap((t) => {
      if (typeof t === 'string') return [t];
      if (t && typeof t === 'object') {
        const o = t as Record<string, unknown>;
        const key = o.key ?? o.token ?? o.name;
        return typeof key === 'string' ? [`${key}: ${String(o.value ?? '')}`] : [];
      }
      return [];
    });
  }
  if (trailers && typeof trailers === 'object') {
    return Object.entries(trailers as Record<string, unknown>).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}: ${String(x)}`));
  }
  return [];
}

/** Assistants a commit names in AI trailers (`Co-Authored-By: Claude …`) or footers ("Generated with [Claude Code]"). */
export function trailerTools(trailers: unknown, texts: readonly unknown[] = []): Assistant[] {
  const found = new Set<Assistant>();
  for (const line of trailerLines(trailers)) {
    const i = line.indexOf(':');
    if (i < 0 || !AI_TRAILER_KEYS.test(line.slice(0, i).trim())) continue;
    const tool = classify(line.slice(i + 1));
    if (tool) found.add(tool);
  }
  for (const text of texts) {
    if (typeof text !== 'string') continue;
    for (const m of text.matchAll(FOOTER)) {
      const tool = classify(m[2] ?? '');
      if (tool) found.add(tool);
    }
  }
  return [...found].sort();
}

/** A session as the overlap check needs it. */
export interface SessionSpan {
  tool: string;
  sessionId: string;
  project: string | null;
  cwd: string | null;
  startedAt: number | null;
  lastAt: number | null;
}

export interface Attribution {
  tools: string[];
  evidence: ('trailer' | 'session-overlap')[];
  confidence: number;
  sessions: string[];
}

function inside(dir: string | null, root: string): boolean {
  return !!dir && (dir === root || dir.startsWith(root.endsWith(sep) ? root : root + sep));
}

/**
 * Decide whether a commit was AI-assisted: trailers/footers name an assistant, and/or a session of
 * the same project (or inside the repository) had activity within `windowMs` before the commit.
 * Confidence: a trailer alone 0.9; overlap alone 0.7 when the session was active within 5 minutes
 * of the commit, else 0.5; both combine as 1 − (1 − a)(1 − b), at most 0.99. Null when neither.
 */
export function attribute(
  commit: { repo: string; project: string | null; ts: number; trailerTools: readonly string[] },
  sessions: readonly SessionSpan[],
  windowMs: number,
): Attribution | null {
  const overlapping = sessions.filter(
    (s) =>
      s.lastAt !== null &&
      s.lastAt >= commit.ts - windowMs &&
      (s.startedAt ?? s.lastAt) <= commit.ts + 60_000 &&
      ((commit.project !== null && s.project === commit.project) || inside(s.cwd, commit.repo)),
  );
  const tools = new Set<string>(commit.trailerTools);
  const evidence: Attribution['evidence'] = [];
  let miss = 1;
  if (commit.trailerTools.length) (evidence.push('trailer'), (miss *= 1 - TRAILER_CONFIDENCE));
  if (overlapping.length) {
    evidence.push('session-overlap');
    const near = overlapping.some((s) => (s.lastAt ?? 0) >= commit.ts - ACTIVE_NEAR_MS);
    miss *= 1 - (near ? OVERLAP_ACTIVE_CONFIDENCE : OVERLAP_WINDOW_CONFIDENCE);
    for (const s of overlapping) tools.add(s.tool);
  }
  if (!evidence.length) return null;
  return {
    tools: [...tools].sort(),
    evidence,
    confidence: Math.min(0.99, Math.round((1 - miss) * 100) / 100),
    sessions: overlapping.slice(0, 10).map((s) => `${s.tool}:${s.sessionId}`),
  };
}

/** Commit time from a git-monitor payload: committedAt, authoredAt (ISO, ms or s), else the event time. */
export function commitTime(data: Record<string, unknown>, fallback: number): number {
  for (const v of [data.committedAt, data.authoredAt]) {
    if (typeof v === 'number' && Number.isFinite(v)) return v < 1e12 ? v * 1000 : v;
    if (typeof v === 'string') {
      const t = Date.parse(v);
      if (Number.isFinite(t)) return t;
    }
  }
  return fallback;
}

/** Attributed commits, once per repository and hash (`ai_monitor__commits`). */
export class CommitStore {
  private readonly insert: SqlStatement;
  private readonly count: SqlStatement;

  constructor(db: SqlDatabase, prefix: string) {
    this.insert = db.prepare(`INSERT OR IGNORE INTO ${prefix}commits (repo, hash, project, ts, tools, evidence, confidence) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.count = db.prepare(`SELECT tools, project FROM ${prefix}commits WHERE ts >= ?`);
  }

  /** False when this commit was attributed before (nothing to emit). */
  add(repo: string, hash: string, project: string | null, ts: number, a: Attribution): boolean {
    return this.insert.run(repo, hash, project, ts, JSON.stringify(a.tools), JSON.stringify(a.evidence), a.confidence).changes === 1;
  }

  /** AI-assisted commits since `since` per tool (a commit with two tools counts for both). */
  byTool(since: number, project?: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.count.all(since) as { tools: string; project: string | null }[]) {
      if (project !== undefined && r.project !== project) continue;
      for (const t of JSON.parse(r.tools) as string[]) out.set(t, (out.get(t) ?? 0) + 1);
    }
    return out;
  }

  total(since: number, project?: string): number {
    return (this.count.all(since) as { project: string | null }[]).filter((r) => project === undefined || r.project === project).length;
  }
}
