// Pure text for timeline entries: the commit narrative and the one-line summaries of edits,
// sessions, runs and merges. Nothing here knows about the kernel or the database.
import { clip, clipPath, duration } from './keys.js';

const ASSISTANT_LABELS: Readonly<Record<string, string>> = { claude: 'Claude', codex: 'Codex', gemini: 'Gemini', qwen: 'Qwen', copilot: 'Copilot', cursor: 'Cursor' };

/** `claude` → `Claude`; unknown tools capitalized and bounded. */
export function assistantLabel(tool: string): string {
  const t = tool.toLowerCase();
  return ASSISTANT_LABELS[t] ?? clip(t.charAt(0).toUpperCase() + t.slice(1), 20);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `a`, `a and b`, `a, b and c`. */
export function joinAnd(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

export interface NarrativeInput {
  hash: string;
  /** 0..1, or null when there is no sign of AI assistance. */
  aiShare: number | null;
  aiSource: 'attribution' | 'session-overlap' | null;
  redRuns: number;
  /** AI sessions active since the previous commit of the task, by tool. */
  sessions: Readonly<Record<string, number>>;
  issue: string | null;
}

/**
 * "commit abc1234: 70% AI-assisted, after 3 red test runs and 2 Claude sessions, PROJ-123".
 * An estimate from session overlap only is marked `~`.
 */
export function commitNarrative(n: NarrativeInput): string {
  const pct = n.aiShare === null ? null : Math.round(Math.min(1, Math.max(0, n.aiShare)) * 100);
  const ai = pct === null ? 'no AI assistance seen' : `${n.aiSource === 'session-overlap' ? '~' : ''}${pct}% AI-assisted`;
  const after: string[] = [];
  if (n.redRuns > 0) after.push(plural(n.redRuns, 'red test run'));
  const tools = Object.entries(n.sessions).filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [tool, c] of tools) after.push(plural(c, `${assistantLabel(tool)} session`));
  return `commit ${n.hash.slice(0, 7)}: ${ai}${after.length ? `, after ${joinAnd(after)}` : ''}${n.issue ? `, ${n.issue}` : ''}`;
}

/**
 * AI share of a commit without an attribution: AI session time over the task's active time since
 * the previous commit, at most 0.9 (0.5 when no active time is known). Null without sessions.
 */
export function overlapShare(sessionMs: number, segmentActiveMs: number, sessions: number): number | null {
  if (sessions <= 0) return null;
  if (segmentActiveMs <= 0) return 0.5;
  return Math.min(0.9, Math.round((sessionMs / segmentActiveMs) * 100) / 100);
}

export interface EditFacts {
  edits: number;
  files: number;
  dir: string;
  /** The one file, while the burst touched only one. */
  file: string | null;
  added: number;
  removed: number;
}

/** "12 edits to 5 files in src/api", "3 edits to src/api/login.ts". */
export function editSummary(f: EditFacts): string {
  if (f.files === 1 && f.file) return `${plural(f.edits, 'edit')} to ${clipPath(f.file, 100)}`;
  return `${plural(f.edits, 'edit')} to ${plural(f.files, 'file')}${f.dir ? ` in ${clipPath(f.dir, 80)}` : ''}`;
}

export interface SessionFacts {
  tool: string;
  activeMs: number;
  prompts: number;
  toolCalls: number;
  ended: boolean;
}

/** "Claude session: 25m active, 14 prompts, 31 tool calls". */
export function sessionSummary(s: SessionFacts): string {
  return `${assistantLabel(s.tool)} session: ${duration(s.activeMs)} active, ${plural(s.prompts, 'prompt')}, ${plural(s.toolCalls, 'tool call')}${s.ended ? '' : ' (ongoing)'}`;
}

export interface RunFacts {
  kind: 'test' | 'build' | 'deploy' | 'run';
  ok: boolean | null;
  passed: number | null;
  failed: number | null;
  durationMs: number | null;
  exitCode: number | null;
  failing: readonly string[];
  command: string | null;
}

/** "tests red: 3 of 41 failed (login rejects a bad password, …) in 12s", "build ok in 42s". */
export function runSummary(r: RunFacts): string {
  const took = r.durationMs !== null ? ` in ${duration(r.durationMs)}` : '';
  const exit = r.exitCode !== null && r.exitCode !== 0 ? ` (exit ${r.exitCode})` : '';
  if (r.kind === 'test') {
    if (r.ok === false) {
      const of = r.failed !== null ? `: ${r.failed}${r.passed !== null ? ` of ${r.failed + r.passed}` : ''} failed` : exit;
      const first = r.failing[0] ? ` (${clip(r.failing[0], 60)}${r.failing.length > 1 ? ', …' : ''})` : '';
      return `tests red${of}${first}${took}`;
    }
    if (r.ok === true) return `tests green${r.passed !== null ? `: ${r.passed} passed` : ''}${took}`;
    return `tests ran${took}`;
  }
  const what = r.kind === 'run' ? `ran ${clip(r.command ?? 'a command', 40)}` : r.kind;
  return `${what} ${r.ok === true ? 'ok' : r.ok === false ? `failed${exit}` : 'finished'}${took}`;
}
