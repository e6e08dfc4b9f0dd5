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
