/** The errors view: plugins not running or failing, failed projections, warn/error events, this process's log. */
import { clock, count } from './format.js';
import { list, type Section } from './layout.js';
import type { DashboardState, Line, RenderOptions } from './model.js';
import { eventTable } from './view-activity.js';
import { pluginTable } from './view-performance.js';

/** How many problems the errors view shows (the tab's badge). */
export function problemCount(s: DashboardState): number {
  return s.errors.plugins.length + s.errors.projections.length + s.errors.events.length + s.errors.log.length;
}

export function errorsSections(s: DashboardState, o: RenderOptions): Section[] {
  const cap = <T>(items: readonly T[], n: number) => (o.height === Infinity ? items.slice(0, n) : items);
  const events = cap(s.errors.events, 20);
  const log = cap(s.errors.log, 20);
  const projections: Line[] = s.errors.projections.map((p) => ({ text: `  ${p.plugin}/${p.name}: ${p.error}`, style: 'error' }));
  return [
    list('PLUGINS NOT RUNNING OR FAILING', pluginTable(s.errors.plugins, o), 'none: every enabled plugin runs (or waits for the monitor lease)'),
    ...(projections.length ? [list('PROJECTIONS STOPPED (rebuild or restart the plugin)', projections, '')] : []),
    list(`WARN AND ERROR EVENTS (newest first; the latest ${count(s.errors.scanned)} events searched)`, eventTable(events, o, s.now, true), 'none', s.errors.events.length - events.length),
    list(
      'THIS PROCESS LOG (warnings and errors)',
      log.map((l) => ({ text: `  ${clock(l.ts, o.tz)} ${l.level}${l.plugin ? ` [${l.plugin}]` : ''} ${l.text}`, style: l.level === 'warn' ? 'warn' : 'error' })),
      'none',
      s.errors.log.length - log.length,
    ),
  ];
}
