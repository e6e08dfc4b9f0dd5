// Formatting shared by the renderers: durations, percentages, deltas with arrows, escaping. Pure.
import { dayKey, type TimeZoneMode } from './period.js';
import type { Delta } from './report-data.js';

export const DASH = '—';

/** `0m`, `<1s`, `30s`, `1m 35s`, `45m`, `3h 20m`, `2d 4h`; `—` for null. */
export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  const neg = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a === 0) return '0m';
  const sec = Math.floor(a / 1000);
  if (sec === 0) return `${neg}<1s`;
  if (sec < 60) return `${neg}${sec}s`;
  const min = Math.floor(sec / 60);
  if (min < 10 && sec % 60) return `${neg}${min}m ${sec % 60}s`;
  const h = Math.floor(min / 60);
  if (h === 0) return `${neg}${min}m`;
  if (h < 48) return `${neg}${h}h ${min % 60}m`;
  return `${neg}${Math.floor(h / 24)}d ${h % 24}h`;
}

/** `87.5%` (one decimal, `.0` dropped); `—` for null. */
export function fmtPct(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return DASH;
  return `${String(Math.round(r * 1000) / 10)}%`;
}

export function fmtNum(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  return (Math.round(n * 100) / 100).toLocaleString('en-US');
}

/** `2026-01-20 14:05` in the report's zone (`UTC` appended for utc). */
export function fmtTime(t: number, tz: TimeZoneMode): string {
  const d = new Date(t);
  const [h, m] = tz === 'utc' ? [d.getUTCHours(), d.getUTCMinutes()] : [d.getHours(), d.getMinutes()];
  return `${dayKey(t, tz)} ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}${tz === 'utc' ? ' UTC' : ''}`;
}

export function fmtValue(unit: Delta['unit'], v: number | null): string {
  if (unit === 'ms') return fmtDuration(v);
  if (unit === 'ratio') return fmtPct(v);
  return fmtNum(v);
}

export const ARROWS: Readonly<Record<Delta['direction'], string>> = { up: '↑', down: '↓', flat: '→', unknown: '·' };

/** `↑ +1h 5m`, `↓ -4.2 pp`, `→ 0`, `·` (unknown). */
export function fmtDelta(d: Delta): string {
  if (d.change === null) return ARROWS.unknown;
  const sign = d.change > 0 ? '+' : d.change < 0 ? '-' : '';
  const a = Math.abs(d.change);
  const v = d.unit === 'ms' ? fmtDuration(a) : d.unit === 'ratio' ? `${String(Math.round(a * 1000) / 10)} pp` : fmtNum(a);
  return `${ARROWS[d.direction]} ${sign}${v}`;
}

const HTML_ESC: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for HTML/SVG element content and quoted attribute values. */
export function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => HTML_ESC[c] as string);
}

/** Text safe inside a Markdown table cell or line: no raw HTML, no pipes or line breaks. */
export function mdText(s: unknown, max = 200): string {
  let t = String(s ?? '').replace(/[\r\n\t]+/g, ' ');
  if (t.length > max) t = `${t.slice(0, max - 1)}…`;
  return t.replace(/([\\`*_[\]])/g, '\\$1').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
}

/** A short path: the last `keep` segments, `…/` before them when cut. */
export function shortPath(p: string, keep = 3): string {
  const parts = p.split(/[\\/]/).filter(Boolean);
  return parts.length > keep ? `…/${parts.slice(-keep).join('/')}` : p;
}
