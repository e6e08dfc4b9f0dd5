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

/** The JSON text of a view's data (whole or cut), so rendering it does not serialize it again. */
const dataText = new WeakMap<EventView, string>();

/** A compact, bounded view of an event for tool output: ISO time, data cut to a size. */
export function viewEvent(e: StoredEvent, maxChars = MAX_DATA_CHARS): EventView {
  const json = e.dataJson ?? JSON.stringify(e.data);
  const view: EventView = { seq: e.seq, id: e.id, type: e.type, time: new Date(e.ts).toISOString(), project: e.project, severity: e.severity, data: e.data };
  if (json.length > maxChars) {
    view.data = `${json.slice(0, maxChars)}…`;
    view.truncated = true;
    dataText.set(view, view.data as string);
  } else dataText.set(view, json);
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
    // Compact: tool names are in tools/list (and devflow_plugins_list), a reason or last error only when there is one.
    plugins: s.plugins.map((p) => ({ id: p.id, version: p.version, state: p.state, ...(p.reason ? { reason: p.reason } : {}), ...(p.lastError ? { lastError: p.lastError } : {}), tools: p.tools.length })),
    projections: (s.projections ?? []).map((p) => ({ plugin: p.plugin, name: p.name, state: p.state, lag: p.lag, ...(p.error ? { error: p.error } : {}) })),
  };
}

/** Status as a few lines for the model: the plugins that are not running come with their reason. */
export function renderStatus(v: ReturnType<typeof statusView>): string {
  const db = v.database as { events?: number; sizeBytes?: number | null; path?: string };
  const running = v.plugins.filter((p) => p.state === 'started').map((p) => p.id);
  const lines = [
    `DevFlow ${v.version}, up ${formatDuration(v.uptimeSeconds)}; monitors ${v.monitorLeaseHeld ? 'run in this process' : 'run in another process'}`,
    `database: ${db.events ?? '?'} events, ${db.sizeBytes == null ? '?' : `${(db.sizeBytes / 1048576).toFixed(1)} MB`}`,
    `projects: ${v.projects.length ? v.projects.join(', ') : '(none configured)'}`,
    `running: ${running.join(', ') || '(none)'}`,
  ];
  for (const p of v.plugins) {
    if (p.state !== 'started') lines.push(`${p.id}: ${p.state}${p.reason ? ` (${p.reason})` : ''}`);
    if (p.lastError) lines.push(`${p.id} last error: ${p.lastError}`);
  }
  for (const p of v.projections) {
    if (p.state === 'failed') lines.push(`${p.plugin} ${p.name}: stopped at an event it could not fold (${p.error ?? 'see the log'}); ${p.lag} events not folded`);
    else if (p.state === 'catching-up' || p.lag > 0) lines.push(`${p.plugin} ${p.name}: catching up, ${p.lag} events behind (answers may be incomplete)`);
  }
  return lines.join('\n');
}

/** One line per event: time, type, project, then its data. */
export function renderEvents(v: { events: EventView[]; next: number | null }): string {
  if (!v.events.length) return 'no events match';
  const lines = v.events.map((e) => `${e.time} #${e.seq} ${e.type}${e.project ? ` [${e.project}]` : ''}${e.severity !== 'info' ? ` (${e.severity})` : ''} ${dataText.get(e) ?? (typeof e.data === 'string' ? e.data : JSON.stringify(e.data))}`);
  if (v.next !== null) lines.push(`more: call again with cursor ${v.next}`);
  return lines.join('\n');
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}
