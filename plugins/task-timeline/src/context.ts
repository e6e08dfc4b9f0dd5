// devflow_context: where the developer stands right now, in well under 1 KB. Every string is
// clipped and the text is cut at a byte budget, whatever the inputs.
import { clip, clipPath, duration, type IssueKeys, stamp } from './keys.js';
import type { TimelineQueries } from './queries.js';
import type { TaskRow } from './store.js';

/** Most bytes of `text`; the whole JSON result stays under 2 KB. */
export const CONTEXT_TEXT_BUDGET = 900;

export interface ContextView {
  project: string | null;
  branch: string | null;
  task: string | null;
  stage: { name: string; subStage: string | null; since: number | null; confidence: number | null } | null;
  onTask: { since: number; forMs: number; activeMs: number } | null;
  tests: { state: 'red' | 'green' | 'none'; since: number | null; runs: number; failing: string[]; lastRunAt: number | null };
  lastGreenCommit: { hash: string; at: number } | null;
  hotFiles: { path: string; edits: number }[];
  bottlenecks: { open: number; top: string[] };
  note?: string;
  text: string;
}

const failingOf = (row: TaskRow): string[] => {
  try {
    const v: unknown = row.failing ? JSON.parse(row.failing) : [];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, 3).map((x) => clip(x, 60)) : [];
  } catch {
    return [];
  }
};

/** Cut a string to at most `bytes` UTF-8 bytes without splitting a character. */
export function cutBytes(s: string, bytes: number): string {
  if (Buffer.byteLength(s) <= bytes) return s;
  let out = '';
  let used = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch);
    if (used + n > bytes - 3) break;
    out += ch;
    used += n;
  }
  return `${out}…`;
}

function empty(note: string, project: string | null): ContextView {
  const view: Omit<ContextView, 'text'> = { project, branch: null, task: null, stage: null, onTask: null, tests: { state: 'none', since: null, runs: 0, failing: [], lastRunAt: null }, lastGreenCommit: null, hotFiles: [], bottlenecks: { open: 0, top: [] }, note };
  return { ...view, text: cutBytes(note, CONTEXT_TEXT_BUDGET) };
}

export function buildContext(q: TimelineQueries, keys: IssueKeys, o: { project?: string; now: number; hotFilesHours: number }): ContextView {
  const p = q.project(o.project);
  if (!p) {
    const known = q.knownProjects(3).map((x) => clipPath(x, 60));
    return empty(o.project === undefined ? 'no activity recorded yet' : `no activity recorded for project ${clipPath(o.project, 80)}${known.length ? `; known: ${known.join(', ')}` : ''}`, o.project === undefined ? null : clipPath(o.project, 120));
  }
  const head = q.head(p.project);
  const branch = head?.branch ?? null;
  const row = (branch ? q.task(p.project, keys.taskOf(branch)) : undefined) ?? q.latestTask(p.project);
  const lastEdit = p.last_edit_ts;
  const hotFiles = lastEdit === null ? [] : q.hotFiles(p.project, Math.floor(lastEdit / 3_600_000) - o.hotFilesHours + 1, 3).map((f) => ({ path: clipPath(f.path, 60), edits: f.edits }));
  const b = q.bottlenecks(p.project, 2);
  const view: Omit<ContextView, 'text'> = {
    project: p.project ? clipPath(p.project, 120) : null,
    branch: branch ? clip(branch, 80) : !head && row?.branch ? clip(row.branch, 80) : null,
    task: row ? clip(row.task, 80) : null,
    stage: p.stage ? { name: clip(p.stage, 40), subStage: p.sub_stage ? clip(p.sub_stage, 40) : null, since: p.stage_since, confidence: p.stage_confidence } : null,
    onTask: row ? { since: row.first_ts, forMs: Math.max(0, o.now - row.first_ts), activeMs: row.active_ms } : null,
    tests: row && row.last_run_ts !== null
      ? { state: row.last_run_ok === 1 ? 'green' : 'red', since: row.last_run_ok === 1 ? row.last_run_ts : row.red_since, runs: row.last_run_ok === 1 ? 0 : row.red_streak, failing: row.last_run_ok === 1 ? [] : failingOf(row), lastRunAt: row.last_run_ts }
      : { state: 'none', since: null, runs: 0, failing: [], lastRunAt: null },
    lastGreenCommit: row?.last_green_commit && row.last_green_ts !== null ? { hash: row.last_green_commit.slice(0, 12), at: row.last_green_ts } : null,
    hotFiles,
    bottlenecks: { open: b.open, top: b.top.map((t) => clip(t, 70)) },
    ...(row ? {} : { note: 'no task yet: no branch or issue key seen for this project' }),
  };
  return { ...view, text: renderContext(view) };
}

/** The compact lines an assistant reads. */
export function renderContext(v: Omit<ContextView, 'text'>): string {
  const lines: string[] = [];
  const taskPart = v.task && v.task !== v.branch ? ` (task ${clip(v.task, 24)})` : '';
  lines.push(`project ${clipPath(v.project ?? '(none)', 50)} · branch ${v.branch ? clip(v.branch, 50) : '(unknown)'}${taskPart}`);
  if (v.stage) lines.push(`stage ${v.stage.name}${v.stage.subStage ? `/${v.stage.subStage}` : ''}${v.stage.since !== null ? ` since ${stamp(v.stage.since)}` : ''}${v.stage.confidence !== null ? ` (${Math.round(v.stage.confidence * 100)}%)` : ''}`);
  if (v.onTask) lines.push(`on task ${duration(v.onTask.forMs)} (active ${duration(v.onTask.activeMs)}) since ${stamp(v.onTask.since)}`);
  const t = v.tests;
  if (t.state === 'red') lines.push(`tests RED${t.since !== null ? ` since ${stamp(t.since)}` : ''}, ${t.runs} run${t.runs === 1 ? '' : 's'}${t.failing.length ? `: ${t.failing.map((f) => clip(f, 40)).join('; ')}` : ''}`);
  else if (t.state === 'green') lines.push(`tests green at ${stamp(t.lastRunAt ?? 0)}`);
  else lines.push('tests: none run on this task');
  if (v.lastGreenCommit) lines.push(`last green commit ${v.lastGreenCommit.hash.slice(0, 7)} at ${stamp(v.lastGreenCommit.at)}`);
  if (v.hotFiles.length) lines.push(`hot: ${v.hotFiles.map((f) => `${clipPath(f.path, 40)} (${f.edits})`).join(', ')}`);
  lines.push(v.bottlenecks.open ? `bottlenecks ${v.bottlenecks.open} open: ${v.bottlenecks.top.map((x) => clip(x, 50)).join('; ')}` : 'bottlenecks: none open');
  if (v.note) lines.push(clip(v.note, 120));
  return cutBytes(lines.join('\n'), CONTEXT_TEXT_BUDGET);
}
