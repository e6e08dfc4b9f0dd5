import type { StoredEvent } from '@devflow/plugin-sdk';

/** The first-party monitors whose events make up the activity log by default. */
export const MONITOR_SOURCES: readonly string[] = ['file-monitor', 'git-monitor', 'test-monitor', 'ai-monitor', 'system-monitor'];

/** Longest JSON text of one event's data in an activity entry; longer data is cut. */
export const MAX_ACTIVITY_DATA_CHARS = 400;


/** A project as the user names it (a configured root, or its last path segment) → the configured root. */
export function resolveProject(name: string, projects: readonly string[]): string {
  if (projects.includes(name)) return name;
  const trimmed = name.replace(/[\\/]+$/, '');
  if (projects.includes(trimmed)) return trimmed;
  const byBase = projects.filter((p) => p.replace(/[\\/]+$/, '').split(/[\\/]/).pop() === trimmed);
  return byBase.length === 1 ? (byBase[0] as string) : name;
}

export interface ActivityEntry {
  seq: number;
  time: string;
  type: string;
  project: string | null;
  severity: string;
  summary: string;
  data: unknown;
  truncated?: true;
}

const short = (v: unknown, max = 80): string => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

const lineNote = (d: Record<string, unknown>): string => {
  const a = d.linesAdded;
  const r = d.linesRemoved;
  return typeof a === 'number' || typeof r === 'number' ? ` (+${typeof a === 'number' ? a : '?'} -${typeof r === 'number' ? r : '?'})` : '';
};

/** One line an assistant can read: what happened, to what. */
export function summarize(e: StoredEvent): string {
  const d = (e.data ?? {}) as Record<string, unknown>;
  switch (e.type) {
    case 'file-monitor.file.changed':
      return `${String(d.kind)} ${String(d.path)}${lineNote(d)}${typeof d.count === 'number' && d.count > 1 ? ` ×${d.count}` : ''}`;
    case 'file-monitor.file.renamed':
      return `renamed ${String(d.from)} → ${String(d.to)}${lineNote(d)}`;
    case 'file-monitor.files.bulk-changed': {
      const k = (d.byKind ?? {}) as Record<string, number>;
      const kinds = Object.entries(k).filter(([, n]) => n > 0).map(([kind, n]) => `${n} ${kind}`).join(', ');
      const dirs = Array.isArray(d.topDirs) ? (d.topDirs as { dir: string }[]).slice(0, 3).map((t) => t.dir).join(', ') : '';
      return `bulk change of ${String(d.files)} files (${kinds})${dirs ? ` in ${dirs}` : ''}`;
    }
    case 'file-monitor.watch.degraded':
      return `file watching degraded (${String(d.reason)}): ${short(d.fix, 120)}`;
    default: {
      // Other monitors: the event name plus its first few scalar fields.
      const name = e.type.split('.').slice(1).join(' ');
      const fields = Object.entries(d)
        .filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
        .slice(0, 4)
        .map(([k, v]) => `${k}=${short(v, 60)}`);
      return fields.length ? `${name}: ${fields.join(' ')}` : name;
    }
  }
}

/** An activity entry: time, type, project, a one-line summary and the data (cut to a bound). */
export function toActivity(e: StoredEvent, maxChars = MAX_ACTIVITY_DATA_CHARS): ActivityEntry {
  const json = JSON.stringify(e.data);
  const entry: ActivityEntry = { seq: e.seq, time: new Date(e.ts).toISOString(), type: e.type, project: e.project, severity: e.severity, summary: summarize(e), data: e.data };
  if (json.length > maxChars) {
    entry.data = `${json.slice(0, maxChars)}…`;
    entry.truncated = true;
  }
  return entry;
}
