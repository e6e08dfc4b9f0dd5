// Small inline SVG charts drawn from series data. Pure: returns markup; labels are escaped.
import { escapeHtml } from './escape.js';

export interface Datum {
  /** Shown under the bar/point (e.g. `Mon`) and in its tooltip. */
  readonly label: string;
  readonly value: number;
}

export interface ChartOptions {
  /** Accessible name of the chart (aria-label). */
  readonly title: string;
  readonly width?: number;
  readonly height?: number;
  /** How values are written in tooltips and on the axis. */
  readonly format?: (v: number) => string;
}

const M = { top: 10, right: 8, bottom: 22, left: 40 };

/** A round number ≥ `max` for the top of the axis (1, 2, 5 × 10^n); 1 for an empty series. */
export function niceMax(max: number): number {
  if (!Number.isFinite(max) || max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/** Clean a series: non-finite or negative values count as 0. */
export function clean(data: readonly Datum[]): Datum[] {
  return data.map((d) => ({ label: String(d.label), value: Number.isFinite(d.value) && d.value > 0 ? d.value : 0 }));
}

const r = (n: number) => Math.round(n * 10) / 10;

/** Points of a series scaled into a `width` × `height` box (y grows downwards), spread evenly. */
export function scalePoints(values: readonly number[], width: number, height: number, top = niceMax(Math.max(0, ...values))): { x: number; y: number }[] {
  const n = values.length;
  return values.map((v, i) => ({
    x: r(n <= 1 ? width / 2 : (i * width) / (n - 1)),
    y: r(height - (Math.max(0, Number.isFinite(v) ? v : 0) / top) * height),
  }));
}

/** An SVG path through the points: `M x,y L x,y …`; empty string for no points. */
export function linePath(points: readonly { x: number; y: number }[]): string {
  return points.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' ');
}

function frame(o: ChartOptions, body: string, top: number, labels: string): string {
  const w = o.width ?? 480;
  const h = o.height ?? 160;
  const fmt = o.format ?? String;
  const ih = h - M.top - M.bottom;
  const grid = [0, 0.5, 1]
    .map((f) => {
      const y = r(M.top + ih - f * ih);
      return `<line class="grid" x1="${M.left}" x2="${w - M.right}" y1="${y}" y2="${y}"/><text class="axis" x="${M.left - 4}" y="${y + 3}" text-anchor="end">${escapeHtml(fmt(top * f))}</text>`;
    })
    .join('');
  return `<svg class="chart" viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeHtml(o.title)}" preserveAspectRatio="xMidYMid meet"><title>${escapeHtml(o.title)}</title>${grid}${body}${labels}</svg>`;
}

/** Which labels to print under the axis so they do not overlap (every k-th). */
export function labelStep(n: number, width: number, minGap = 36): number {
  if (n <= 1) return 1;
  return Math.max(1, Math.ceil((minGap * n) / Math.max(1, width)));
}

/** A bar chart; each bar has a `<title>` tooltip with its label and formatted value. */
export function barChart(data: readonly Datum[], o: ChartOptions): string {
  const d = clean(data);
  const w = (o.width ?? 480) - M.left - M.right;
  const h = (o.height ?? 160) - M.top - M.bottom;
  const fmt = o.format ?? String;
  const top = niceMax(Math.max(0, ...d.map((x) => x.value)));
  const slot = d.length ? w / d.length : w;
  const bw = Math.max(1, slot * 0.7);
  const step = labelStep(d.length, w);
  let bars = '';
  let labels = '';
  d.forEach((x, i) => {
    const bh = r((x.value / top) * h);
    const bx = r(M.left + i * slot + (slot - bw) / 2);
    bars += `<rect class="bar" x="${bx}" y="${r(M.top + h - bh)}" width="${r(bw)}" height="${bh}"><title>${escapeHtml(`${x.label}: ${fmt(x.value)}`)}</title></rect>`;
    if (i % step === 0) labels += `<text class="axis" x="${r(M.left + i * slot + slot / 2)}" y="${M.top + h + 15}" text-anchor="middle">${escapeHtml(x.label)}</text>`;
  });
  return frame(o, bars, top, labels);
}

/** A line chart with a dot (and tooltip) per point. */
export function lineChart(data: readonly Datum[], o: ChartOptions): string {
  const d = clean(data);
  const w = (o.width ?? 480) - M.left - M.right;
  const h = (o.height ?? 160) - M.top - M.bottom;
  const fmt = o.format ?? String;
  const top = niceMax(Math.max(0, ...d.map((x) => x.value)));
  const pts = scalePoints(d.map((x) => x.value), w, h, top).map((p) => ({ x: r(p.x + M.left), y: r(p.y + M.top) }));
  const step = labelStep(d.length, w);
  let dots = '';
  let labels = '';
  pts.forEach((p, i) => {
    const x = d[i] as Datum;
    dots += `<circle class="dot" cx="${p.x}" cy="${p.y}" r="3"><title>${escapeHtml(`${x.label}: ${fmt(x.value)}`)}</title></circle>`;
    if (i % step === 0) labels += `<text class="axis" x="${p.x}" y="${M.top + h + 15}" text-anchor="middle">${escapeHtml(x.label)}</text>`;
  });
  const path = pts.length ? `<path class="line" d="${linePath(pts)}" fill="none"/>` : '';
  return frame(o, path + dots, top, labels);
}
