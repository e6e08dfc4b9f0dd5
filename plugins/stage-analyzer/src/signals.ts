// Turn one event into stage signals: which rules fire and how much each adds. Pure: reads only the
// event and a small context, tolerates any payload shape (odd fields never throw, they just don't match).
import type { CompiledRule, Scalar } from './rules.js';

/** The parts of a stored event the matcher reads. */
export interface EventLike {
  readonly id: string;
  readonly type: string;
  readonly ts: number;
  readonly project: string | null;
  readonly data: unknown;
}

/** What the matcher needs to know about the project before this event. */
export interface MatchContext {
  readonly currentStage: string | null;
  /** The project's latest event time before this event (null: first event). */
  readonly prevClock: number | null;
  /** Latest signal time of a stage (any sub-stage), or null. */
  lastSignalAt(stage: string): number | null;
}

export interface Signal {
  readonly rule: string;
  readonly stage: string;
  readonly subStage: string | null;
  readonly weight: number;
  readonly detail: string;
}

/** Most paths of one event looked at (commits list ≤ maxFilesPerCommit, bulk events ≤ sampleSize). */
export const MAX_PATHS = 200;
const MAX_DETAIL = 120;
const NONE: string[] = [];

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const cut = (s: string) => (s.length > MAX_DETAIL ? `${s.slice(0, MAX_DETAIL - 1)}…` : s);

/** A path as rules see it: forward slashes, relative to the project when it was absolute inside it. */
export function normalizePath(p: string, project: string | null): string {
  let s = p.replace(/\\/g, '/');
  if (project) {
    const root = project.replace(/\\/g, '/').replace(/\/+$/, '');
    if (root && s.startsWith(`${root}/`)) s = s.slice(root.length + 1);
  }
  return s.replace(/^(\.\/)+/, '');
}

/** The file paths an event is about (empty for events without paths). */
export function eventPaths(type: string, data: unknown, project: string | null): string[] {
  if (!isObj(data)) return [];
  const raw: unknown[] = [];
  if (type === 'file-monitor.file.changed') raw.push(data.path);
  else if (type === 'file-monitor.file.renamed') raw.push(data.to);
  else if (type === 'file-monitor.files.bulk-changed' && Array.isArray(data.sample)) for (const s of data.sample.slice(0, MAX_PATHS)) raw.push(isObj(s) ? s.path : s);
  else if (type === 'git-monitor.commit.created' && Array.isArray(data.files)) for (const f of data.files.slice(0, MAX_PATHS)) raw.push(isObj(f) ? f.path : f);
  const out: string[] = [];
  for (const p of raw) if (typeof p === 'string' && p.length > 0 && p.length <= 4096) out.push(normalizePath(p, project));
  return out;
}

function field(data: unknown, path: readonly string[]): unknown {
  let v: unknown = data;
  for (const k of path) {
    if (!isObj(v)) return undefined;
    v = v[k];
  }
  return v;
}

const equalsAny = (v: unknown, values: readonly Scalar[]) => values.some((x) => x === v);

/** A short description of the event for evidence (no payload dump). */
export function describe(type: string, data: unknown): string {
  if (!isObj(data)) return type;
  switch (type) {
    case 'git-monitor.commit.created': {
      const hash = str(data.hash)?.slice(0, 7) ?? '';
      return cut(`${hash} ${str(data.subject) ?? ''}`.trim() || type);
    }
    case 'git-monitor.tag.created':
      return cut(`tag ${str(data.tag) ?? '?'}`);
    case 'git-monitor.branch.switched':
      return cut(`switched ${str(data.from) ?? '?'} → ${str(data.to) ?? '?'}`);
    case 'git-monitor.merge.detected':
      return cut(`${str(data.kind) ?? 'merge'} of ${str(data.mergedBranch) ?? str(data.mergedHash) ?? '?'} into ${str(data.into) ?? '?'}`);
    case 'ai-monitor.session.updated':
    case 'ai-monitor.session.ended': {
      const prompts = typeof data.prompts === 'number' ? `, ${data.prompts} prompts` : '';
      return cut(`${str(data.tool) ?? 'AI'} session${type.endsWith('ended') ? ' ended' : ''}${prompts}`);
    }
    case 'test-monitor.run.finished':
    case 'test-monitor.deploy.finished':
    case 'test-monitor.build.finished':
      return cut(`${str(data.command) ?? str(data.runner) ?? type} ${data.ok === true ? 'ok' : data.ok === false ? 'failed' : ''}`.trim());
    default:
      if (type.startsWith('system-monitor.')) return cut(`${str(data.metric) ?? 'metric'} ${typeof data.value === 'number' ? data.value : ''}`.trim());
      return type;
  }
}

/** The signals an event gives under a rule set (rules in order; each fires at most once). */
export function matchEvent(e: EventLike, rules: readonly CompiledRule[], ctx: MatchContext): Signal[] {
  const out: Signal[] = [];
  let paths: string[] | undefined;
  let described: string | undefined;
  const data = e.data;
  for (const r of rules) {
    if (!r.matchesType(e.type)) continue;
    if (r.afterStages && (ctx.currentStage === null || !r.afterStages.has(ctx.currentStage))) continue;
    if (r.quietMs !== null && (ctx.prevClock === null || e.ts - ctx.prevClock < r.quietMs)) continue;
    if (r.withStage) {
      const last = ctx.lastSignalAt(r.withStage.stage);
      if (last === null || Math.abs(e.ts - last) > r.withStage.withinMs) continue;
    }
    if (r.commitTypes) {
      const t = field(data, ['conventional', 'type']);
      if (typeof t !== 'string' || !r.commitTypes.has(t.toLowerCase())) continue;
    }
    if (r.tag) {
      const tag = field(data, ['tag']);
      if (typeof tag !== 'string' || !r.tag.test(tag)) continue;
    }
    if (r.subject) {
      const s = field(data, ['subject']);
      if (typeof s !== 'string' || !r.subject.test(s)) continue;
    }
    if (!r.fields.every((f) => equalsAny(field(data, f.path), f.values))) continue;
    if (r.notFields.some((f) => equalsAny(field(data, f.path), f.values))) continue;
    let weight = r.weight;
    let detail: string;
    if (r.pathMatch) {
      paths ??= eventPaths(e.type, data, e.project);
      if (!paths.length) continue;
      const matched = paths.length === 1 ? (r.pathMatch(paths[0] as string) ? paths : NONE) : paths.filter(r.pathMatch);
      if (!matched.length) continue;
      weight = (r.weight * matched.length) / paths.length;
      detail = cut(matched.length > 1 ? `${matched[0]} (+${matched.length - 1} more)` : (matched[0] as string));
    } else detail = described ??= describe(e.type, data);
    out.push({ rule: r.name, stage: r.stage, subStage: r.subStage, weight, detail });
  }
  return out;
}
