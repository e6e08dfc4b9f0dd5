// Events as the dashboard lists them, from three sources with different shapes: the live stream
// (stored events), devflow_events_query and activity_recent. Pure.
import { baseName, duration } from './format.js';

/** One row of the activity list. */
export interface ActivityItem {
  readonly seq: number;
  readonly ts: number;
  readonly type: string;
  readonly project: string | null;
  readonly severity: string;
  readonly summary: string;
}

type Data = Record<string, unknown>;
const str = (v: unknown, max = 120): string => {
  const s = typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const lines = (d: Data): string => {
  const a = num(d.linesAdded);
  const r = num(d.linesRemoved);
  return a === null && r === null ? '' : ` (+${a ?? '?'} −${r ?? '?'})`;
};

/** A readable line for an event: what happened, to what. Never throws on odd data. */
export function summarize(type: string, data: unknown): string {
  const d: Data = data && typeof data === 'object' && !Array.isArray(data) ? (data as Data) : {};
  switch (type) {
    case 'file-monitor.file.changed':
      return `${str(d.kind) || 'changed'} ${str(d.path, 200)}${lines(d)}${(num(d.count) ?? 1) > 1 ? ` ×${num(d.count)}` : ''}`;
    case 'file-monitor.file.renamed':
      return `renamed ${str(d.from, 120)} → ${str(d.to, 120)}`;
    case 'file-monitor.files.bulk-changed':
      return `${num(d.count) ?? num(d.files) ?? '?'} files changed at once`;
    case 'git-monitor.commit.created':
      return `commit ${str(d.hash).slice(0, 7)}${d.branch ? ` on ${str(d.branch, 60)}` : ''}: ${str(d.subject, 160)}`;
    case 'git-monitor.branch.switched':
      return `switched ${d.from ? `from ${str(d.from, 60)} ` : ''}to ${d.detached ? 'a detached HEAD' : str(d.to, 60)}`;
    case 'git-monitor.branch.created':
    case 'git-monitor.branch.deleted':
      return `branch ${str(d.branch, 80)} ${type.endsWith('created') ? 'created' : 'deleted'}`;
    case 'git-monitor.merge.detected':
      return `merge (${str(d.kind) || 'merge'})${d.branch ? ` of ${str(d.branch, 60)}` : ''}${d.into ? ` into ${str(d.into, 60)}` : ''}`;
    case 'test-monitor.run.finished':
    case 'test-monitor.build.finished':
    case 'test-monitor.deploy.finished': {
      const counts = num(d.passed) !== null || num(d.failed) !== null ? ` ${num(d.passed) ?? 0} passed, ${num(d.failed) ?? 0} failed` : '';
      return `${str(d.kind) || type.split('.')[1]} ${d.ok ? 'ok' : 'failed'}:${counts} in ${duration(num(d.durationMs))} — ${str(d.command, 80)}`;
    }
    case 'ai-monitor.session.updated':
    case 'ai-monitor.session.ended':
      return `${str(d.tool) || 'AI'} session ${type.endsWith('ended') ? 'ended' : 'active'}: ${duration(num(d.activeMs))}, ${num(d.prompts) ?? 0} prompts`;
    case 'stage-analyzer.stage.changed':
      return `stage ${d.from ? `${str(d.from)} → ` : ''}${str(d.to)}${d.subStage ? ` (${str(d.subStage)})` : ''}`;
    case 'bottleneck-detector.bottleneck.opened':
      return `bottleneck: ${str(d.title, 160)}`;
    case 'bottleneck-detector.bottleneck.resolved':
      return `bottleneck resolved: ${str(d.rule)} ${str(d.subject, 80)}`;
    case 'kernel.plugin.started':
    case 'kernel.plugin.stopped':
      return `plugin ${str(d.plugin)} ${type.endsWith('started') ? 'started' : 'stopped'}`;
    case 'reports.report.generated':
      return `${str(d.period)} report generated (${str(d.format)})`;
    default: {
      const name = type.split('.').slice(1).join(' ') || type;
      const fields = Object.entries(d)
        .filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
        .slice(0, 3)
        .map(([k, v]) => `${k}=${str(v, 60)}`);
      return fields.length ? `${name}: ${fields.join(' ')}` : name;
    }
  }
}

/**
 * The top-level scalar fields that can still be read from JSON cut short (activity_recent cuts
 * long data to a string): `"key":"value"`, numbers, booleans and null.
 */
export function partialFields(text: string): Data {
  const out: Data = {};
  const re = /"([A-Za-z_][\w-]*)":("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const key = m[1] as string;
    if (key in out) continue;
    try {
      out[key] = JSON.parse(m[2] as string);
    } catch {
      /* cut inside an escape */
    }
  }
  return out;
}

/** A stored event from the stream, an events-query row or an activity row → an ActivityItem; null when it is not one. */
export function toActivityItem(raw: unknown): ActivityItem | null {
  if (!raw || typeof raw !== 'object') return null;
  const e = raw as Data;
  const seq = num(e.seq);
  const type = typeof e.type === 'string' ? e.type : null;
  if (seq === null || !type) return null;
  const ts = num(e.ts) ?? (typeof e.time === 'string' ? Date.parse(e.time) : NaN);
  const summary =
    typeof e.data === 'object' && e.data !== null
      ? summarize(type, e.data)
      : typeof e.data === 'string' && e.data.startsWith('{')
        ? summarize(type, partialFields(e.data))
        : typeof e.summary === 'string'
          ? e.summary
          : summarize(type, null);
  return {
    seq,
    ts: Number.isFinite(ts) ? ts : 0,
    type,
    project: typeof e.project === 'string' ? e.project : null,
    severity: typeof e.severity === 'string' ? e.severity : 'info',
    summary,
  };
}

/** Does `type` match a filter of exact types and `prefix.*` patterns (empty: everything)? */
export function matchesType(type: string, filters: readonly string[]): boolean {
  if (!filters.length) return true;
  return filters.some((f) => (f.endsWith('.*') ? type.startsWith(f.slice(0, -1)) : f === '*' || f === type));
}

/** The source (plugin id) of an event type: `git-monitor.commit.created` → `git-monitor`. */
export const sourceOf = (type: string): string => type.split('.')[0] ?? type;

/** A short project name for lists. */
export const projectName = (p: string | null): string => (p ? baseName(p) : 'no project');

/** Insert live items in front of a list, newest first, without duplicates, at most `max`. */
export function mergeNewest(list: readonly ActivityItem[], incoming: readonly ActivityItem[], max: number): ActivityItem[] {
  const seen = new Set(list.map((i) => i.seq));
  const fresh = incoming.filter((i) => !seen.has(i.seq) && (seen.add(i.seq), true));
  return [...fresh, ...list].sort((a, b) => b.seq - a.seq).slice(0, max);
}
