import type { KernelStatus, StoredEvent } from '@devflow/plugin-sdk';

/** Longest JSON text of one event's data handed to an assistant; longer data is cut. */
export const MAX_DATA_CHARS = 600;

export type EventView = {
  seq: number;
  id: string;
  type: string;
  time: string;
  project: string | null;
  severity: string;
  data: unknown;
  truncated?: true;
};

/** A compact, bounded view of an event for tool output: ISO time, data cut to a size. */
export function viewEvent(e: StoredEvent, maxChars = MAX_DATA_CHARS): EventView {
  const json = JSON.stringify(e.data);
  const view: EventView = { seq: e.seq, id: e.id, type: e.type, time: new Date(e.ts).toISOString(), project: e.project, severity: e.severity, data: e.data };
  if (json.length > maxChars) {
    view.data = `${json.slice(0, maxChars)}…`;
    view.truncated = true;
  }
  return view;
}

/** Accept an ISO date, a duration back from now ("24h", "7d", "30m"), or epoch milliseconds. */
export function parseSince(value: string, now = Date.now()): number | undefined {
  const rel = /^(\d+)\s*([mhdw])$/.exec(value.trim());
  if (rel) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[rel[2] as 'm' | 'h' | 'd' | 'w'];
    return now - Number(rel[1]) * unit;
  }
  if (/^\d{10,}$/.test(value)) return Number(value);
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/** The status an assistant sees: compact, with plugin reasons and tools. */
export function statusView(s: KernelStatus) {
  return {
    version: s.version,
    uptimeSeconds: Math.round(s.uptimeMs / 1000),
    projects: [...s.projects],
    database: s.database,
    ingest: s.ingest,
    monitorLeaseHeld: s.lease.held,
    plugins: s.plugins.map((p) => ({ id: p.id, version: p.version, state: p.state, reason: p.reason, lastError: p.lastError, tools: [...p.tools] })),
  };
}
