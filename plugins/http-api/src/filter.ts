import type { StoredEvent } from '@devflow/plugin-sdk';
import { HttpError } from './errors.js';

const PATTERN_RE = /^(\*|[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*(\.\*)?)$/;
export const MAX_TYPES = 20;

/** A stream or query filter: event types (exact or `prefix.*`) and a project. */
export interface EventFilter {
  readonly types: readonly string[] | undefined;
  readonly project: string | undefined;
}

/** `types` as a comma list (or repeated) and `project` from a query; 400 naming a bad value. */
export function parseFilter(query: Record<string, unknown>): EventFilter {
  const raw = query.types;
  const list = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter(Boolean);
  if (list.length > MAX_TYPES) throw new HttpError(400, 'HTTP_ERR_INPUT', `types: at most ${MAX_TYPES} patterns (got ${list.length})`);
  for (const t of list) {
    if (t.length > 200 || !PATTERN_RE.test(t)) throw new HttpError(400, 'HTTP_ERR_INPUT', `types: "${t.slice(0, 200)}" is not an event type, a prefix ending in ".*", or "*"`);
  }
  const p = query.project;
  if (Array.isArray(p)) throw new HttpError(400, 'HTTP_ERR_INPUT', 'project: give it once');
  if (typeof p === 'string' && (p.length === 0 || p.length > 4096)) throw new HttpError(400, 'HTTP_ERR_INPUT', 'project: 1 to 4096 characters');
  return { types: list.length && !list.includes('*') ? list : undefined, project: typeof p === 'string' ? p : undefined };
}

/** A predicate for one filter, cheap per event (no allocation). */
export function matcher(f: EventFilter): (e: StoredEvent) => boolean {
  const exact = new Set(f.types?.filter((t) => !t.endsWith('.*')));
  const prefixes = (f.types ?? []).filter((t) => t.endsWith('.*')).map((t) => t.slice(0, -1));
  const project = f.project;
  const anyType = f.types === undefined;
  return (e) => {
    if (project !== undefined && e.project !== project) return false;
    if (anyType || exact.has(e.type)) return true;
    for (const p of prefixes) if (e.type.startsWith(p)) return true;
    return false;
  };
}
