// Inline SVG charts for the HTML report, drawn here (no library, no script): a bar chart and a line
// chart with a y axis, gridlines, thinned x labels and a <title> tooltip per point. Pure.
import { esc } from './format.js';

export interface ChartPoint {
  label: string;
  value: number | null;
}

export interface ChartOptions {
  /** Accessible name and caption. */
  title: string;
  /** Formats y values (axis labels and tooltips). */
  format: (v: number) => string;
  /** Fixed top of the y axis (e.g. 1 for a rate); default: a round number above the largest value. */
  max?: number;
  color?: string;
  width?: number;
  height?: number;
}

const M = { top: 16, right: 12, bottom: 30, left: 60 };
const r1 = (n: number) => Math.round(n * 10) / 10;

/** A round number ≥ v (1, 2, 2.5, 5 × 10^k). */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function frame(points: readonly ChartPoint[], o: ChartOptions) {
  const width = o.width ?? 640;
  const height = o.height ?? 200;
  const pw = width - M.left - M.right;
  const ph = height - M.top - M.bottom;
  const values = points.map((p) => p.value).filter((v): v is number => v !== null && Number.isFinite(v));
  const max = o.max ?? niceMax(Math.max(0, ...values));
  const y = (v: number) => r1(M.top + ph - (Math.max(0, Math.min(v, max)) / max) * ph);
  const band = points.length ? pw / points.length : pw;
  const x = (i: number) => r1(M.left + band * i + band / 2);
  const parts: string[] = [];
  for (const f of [0, 0.5, 1]) {
    const gy = y(max * f);
    parts.push(`<line x1="${M.left}" y1="${gy}" x2="${M.left + pw}" y2="${gy}" stroke="#ddd" stroke-width="1"/>`);
    parts.push(`<text x="${M.left - 6}" y="${r1(gy + 4)}" text-anchor="end" font-size="11" fill="#666">${esc(o.format(max * f))}</text>`);
  }
  const every = Math.max(1, Math.ceil(points.length / 14));
  points.forEach((p, i) => {
    if (i % every === 0) parts.push(`<text x="${x(i)}" y="${height - M.bottom + 16}" text-anchor="middle" font-size="11" fill="#666">${esc(p.label)}</text>`);
  });
  if (!values.length) parts.push(`<text x="${r1(M.left + pw / 2)}" y="${r1(M.top + ph / 2)}" text-anchor="middle" font-size="12" fill="#999">no data</text>`);
  const open = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(o.title)}"><title>${esc(o.title)}</title>`;
  return { open, parts, x, y, band, max, color: o.color ?? '#3b6fd8', baseline: M.top + ph };
}

/** Vertical bars, one per point (null counts as 0). */
export function barChart(points: readonly ChartPoint[], o: ChartOptions): string {
  const f = frame(points, o);
  const w = r1(Math.max(1, f.band * 0.7));
  points.forEach((p, i) => {
    const v = p.value ?? 0;
    const top = f.y(v);
    const h = r1(f.baseline - top);
    f.parts.push(
      `<rect x="${r1(f.x(i) - w / 2)}" y="${top}" width="${w}" height="${h}" fill="${f.color}"><title>${esc(`${p.label}: ${o.format(v)}`)}</title></rect>`,
    );
  });
  return `${f.open}${f.parts.join('')}</svg>`;
}

/** A line through the points with values; a null breaks the line (no data that day). */
export function lineChart(points: readonly ChartPoint[], o: ChartOptions): string {
  const f = frame(points, o);
  let run: string[] = [];
  const flush = () => {
    if (run.length > 1) f.parts.push(`<polyline points="${run.join(' ')}" fill="none" stroke="${f.color}" stroke-width="2"/>`);
    run = [];
  };
  points.forEach((p, i) => {
    if (p.value === null || !Number.isFinite(p.value)) return flush();
    run.push(`${f.x(i)},${f.y(p.value)}`);
    f.parts.push(`<circle cx="${f.x(i)}" cy="${f.y(p.value)}" r="3" fill="${f.color}"><title>${esc(`${p.label}: ${o.format(p.value)}`)}</title></circle>`);
  });
  flush();
  return `${f.open}${f.parts.join('')}</svg>`;
}
