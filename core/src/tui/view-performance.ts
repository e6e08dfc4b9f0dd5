/** The performance view: ingest, queues, database, this process, tool latencies, plugin states. */
import { bytes, count, duration, millis, perSecond, when } from './format.js';
import { field, list, type Section } from './layout.js';
import { GOOD_STATES, type DashboardState, type Line, type PluginRow, type RenderOptions } from './model.js';
import { table } from './text.js';


function ingestLines(s: DashboardState, o: RenderOptions): Line[] {
  const p = s.performance;
  const q = p.queue;
  const rate = p.ratePerSec === null ? (o.live ? 'measuring…' : 'needs two samples (live view only)') : `${perSecond(p.ratePerSec)} events/s over ${Math.round(p.rateWindowMs / 1000)} s`;
  const behind = q.projectionsBehind ? `${count(q.projectionLag)} events (${q.projectionsBehind} projection${q.projectionsBehind === 1 ? '' : 's'} catching up)` : 'none';
  const outbox = `${count(q.outboxUnsynced)}${q.outboxCapped ? '+' : ''}`;
  const holder = s.monitors.holder ? `running in ${s.monitors.holder}${s.monitors.expiresAt ? ` (lease until ${when(s.monitors.expiresAt, s.now, o.tz)})` : ''}` : 'not running (start DevFlow: "devflow start" or an MCP client)';
  return [
    field('rate', `${rate} · ${count(p.lastMinute)} in the last minute · log at seq ${count(p.headSeq)}`),
    field('queue', `analyzers behind ${behind} · sync outbox ${outbox} unsynced${q.pending ? ` · ${count(q.pending)} waiting to be written by this process` : ''}`, q.projectionsBehind ? 'warn' : undefined),
    field('database', `${count(p.database.events)} events · ${bytes(p.database.sizeBytes)} · ${p.database.path}`),
    field('monitors', holder, s.monitors.holder ? undefined : 'warn'),
  ];
}

function processLines(s: DashboardState): Line[] {
  const m = s.performance.memory;
  return [field('memory', `rss ${bytes(m.rss)} · heap ${bytes(m.heapUsed)} of ${bytes(m.heapTotal)} · external ${bytes(m.external)}`), field('process', `pid ${s.pid} · up ${duration(s.performance.uptimeMs)} · devflow ${s.version}`)];
}

function toolLines(s: DashboardState, o: RenderOptions): Line[] {
  const stats = s.performance.tools;
  if (!stats.length) return [];
  const rows = [['tool', 'calls', 'errors', 'p50 ms', 'p95 ms', 'max ms'], ...stats.map((t) => [t.tool, count(t.calls), count(t.errors), millis(t.p50), millis(t.p95), millis(t.max)])];
  const right = { right: true };
  return table(rows, [{ flex: true, min: 10, max: 40 }, right, { ...right, drop: 1 }, right, { ...right, drop: 2 }, { ...right, drop: 3 }], o.width - 2).map((text, i) => ({
    text: `  ${text}`,
    style: i === 0 ? 'dim' : (stats[i - 1]?.errors ?? 0) > 0 ? 'warn' : undefined,
  }));
}

/** Plugins as a table: id, state, version, tools, and why it is not running or its last error. */
export function pluginTable(plugins: readonly PluginRow[], o: RenderOptions): Line[] {
  if (!plugins.length) return [];
  const rows = [['plugin', 'state', 'version', 'tools', 'reason / last error'], ...plugins.map((p) => [p.id, p.state, p.version ?? '-', String(p.tools), p.lastError ?? p.reason ?? ''])];
  return table(rows, [{ max: 24 }, { max: 12 }, { max: 10, drop: 2 }, { right: true, drop: 1 }, { flex: true, min: 10 }], o.width - 2).map((text, i) => {
    const p = plugins[i - 1];
    return { text: `  ${text}`, style: i === 0 ? 'dim' : p && (!GOOD_STATES.has(p.state) || p.lastError) ? (p.state === 'failed' ? 'error' : 'warn') : undefined };
  });
}

export function performanceSections(s: DashboardState, o: RenderOptions): Section[] {
  const w = s.performance.toolWindow;
  const toolTitle = w.calls ? `TOOL CALLS (last ${count(w.calls)} in the audit log${w.since !== null ? `, since ${when(w.since, s.now, o.tz)}` : ''}; not this dashboard's)` : 'TOOL CALLS';
  return [
    { title: 'INGEST', lines: ingestLines(s, o) },
    { title: 'THIS PROCESS', lines: processLines(s) },
    list(toolTitle, toolLines(s, o), 'no tool calls in the audit log yet'),
    list('PLUGINS (as this process sees them; monitors run where the lease is)', pluginTable(s.performance.plugins, o), 'no plugins configured'),
  ];
}
