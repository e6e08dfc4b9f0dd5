/**
 * The dashboard frame, pure: state and options in, lines out (header, view tabs, the view's
 * sections fitted to the terminal, footer). Nothing here reads the clock, the terminal or the kernel.
 */
import { clock } from './format.js';
import { fitSections, type Section } from './layout.js';
import { VIEW_TITLES, VIEWS, type DashboardState, type Line, type RenderOptions } from './model.js';
import { cell, fit, spread } from './text.js';
import { activitySections } from './view-activity.js';
import { errorsSections, problemCount } from './view-errors.js';
import { performanceSections } from './view-performance.js';

/** Narrowest and shortest terminal the dashboard draws into; smaller ones get a one-line hint. */
export const MIN_WIDTH = 20;
export const MIN_HEIGHT = 5;

function tabs(s: DashboardState | null, o: RenderOptions): Line {
  const problems = s ? problemCount(s) : 0;
  const text = VIEWS.map((v, i) => {
    const label = `${i + 1} ${VIEW_TITLES[v]}${v === 'errors' && problems ? ` (${problems})` : ''}`;
    return v === o.view ? `[${label}]` : ` ${label} `;
  }).join(' ');
  return { text: cell(text, o.width), style: 'tab' };
}

function footer(s: DashboardState | null, o: RenderOptions): Line {
  const tz = o.tz ?? 'local';
  const at = s ? clock(s.now, tz) : '--:--:--';
  if (!o.live) return { text: fit(`snapshot at ${at} · "devflow dashboard" in a terminal for the live view`, o.width), style: 'dim' };
  const keys = o.width >= 60 ? 'q quit · 1 2 3 / a p e views · r refresh' : 'q quit · 1 2 3 · r';
  return { text: spread(keys, `updated ${at} · every ${o.intervalMs / 1000} s`, o.width), style: 'dim' };
}

function sections(s: DashboardState, o: RenderOptions): Section[] {
  if (o.view === 'performance') return performanceSections(s, o);
  if (o.view === 'errors') return errorsSections(s, o);
  return activitySections(s, o);
}

/**
 * One frame as lines: never more than `height` lines, none wider than `width` columns. `state`
 * null draws the frame around `message` (starting up, or a failure to read).
 */
export function renderFrame(state: DashboardState | null, o: RenderOptions, message?: string): Line[] {
  const width = Math.max(1, Math.floor(o.width));
  if (width < MIN_WIDTH || o.height < MIN_HEIGHT) return [{ text: fit(`DevFlow: terminal too small (${width}x${o.height})`, width), style: 'warn' }];
  const opts = { ...o, width };
  const version = state ? ` ${state.version}` : '';
  const head: Line[] = [
    { text: spread(`DevFlow${version} · ${VIEW_TITLES[o.view]}`, state ? `pid ${state.pid}` : '', width), style: 'title' },
    tabs(state, opts),
  ];
  const foot = footer(state, opts);
  const rows = o.height === Infinity ? Infinity : o.height - head.length - 1;
  const body: Line[] = state ? fitSections(sections(state, opts), rows, width) : [{ text: fit(message ?? 'reading the database…', width), style: 'dim' }];
  if (message && state) body.unshift({ text: fit(message, width), style: 'warn' });
  const fitted = rows === Infinity ? body : body.slice(0, rows);
  // In the live view the footer sits on the last row, whatever the body's length.
  const filler: Line[] = o.height === Infinity ? [] : Array.from({ length: Math.max(0, rows - fitted.length) }, () => ({ text: '' }));
  return [...head, ...fitted, ...filler, foot];
}

/** A frame as plain text (no escape codes), lines joined with "\n". */
export function plainText(lines: readonly Line[]): string {
  return lines.map((l) => l.text.trimEnd()).join('\n');
}
