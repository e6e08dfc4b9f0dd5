/**
 * Text for a terminal cell grid: display width (wide CJK and emoji take two columns, combining
 * marks none), control characters made harmless (event data must not drive the terminal), and
 * cutting to a width with "…" so that no line ever wraps.
 */

// Control characters (C0, DEL, C1): shown as a space so data cannot move the cursor or recolour.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u200b-\u200f\u2060-\u2064\ufe00-\ufe0f]$/u;

const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], [0x231a, 0x231b], [0x2329, 0x232a], [0x23e9, 0x23ec], [0x25fd, 0x25fe], [0x2614, 0x2615],
  [0x2648, 0x2653], [0x26aa, 0x26ab], [0x26bd, 0x26be], [0x26f5, 0x26f5], [0x2705, 0x2705], [0x274c, 0x274c],
  [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf], [0xac00, 0xd7a3],
  [0xf900, 0xfaff], [0xfe30, 0xfe4f], [0xff00, 0xff60], [0xffe0, 0xffe6], [0x1f300, 0x1f64f], [0x1f680, 0x1f6ff],
  [0x1f900, 0x1f9ff], [0x20000, 0x3fffd],
];

/** Columns one character takes. */
export function charWidth(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x300) return 1;
  if (ZERO_WIDTH.test(ch)) return 0;
  for (const [lo, hi] of WIDE) if (cp >= lo && cp <= hi) return 2;
  return 1;
}

/** Control characters (newlines, tabs, escape sequences) replaced by spaces. */
export function sanitize(text: string): string {
  return text.replace(CONTROL, ' ');
}

/** Display width in columns (of sanitized text). */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += charWidth(ch);
  return w;
}

/** Sanitize and cut to at most `width` columns, ending in "…" when something was cut. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  const clean = sanitize(text);
  if (clean.length <= width && !/[^\u0000-\u02ff]/.test(clean)) return clean;
  if (displayWidth(clean) <= width) return clean;
  let out = '';
  let used = 0;
  for (const ch of clean) {
    const w = charWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

/** Cut to `width` and pad with spaces to exactly `width` columns (right-aligned with `right`). */
export function cell(text: string, width: number, right = false): string {
  const t = fit(text, width);
  const pad = ' '.repeat(Math.max(0, width - displayWidth(t)));
  return right ? pad + t : t + pad;
}

/** `left` and `right` on one line of `width` columns; `right` is dropped when both do not fit. */
export function spread(left: string, right: string, width: number): string {
  const l = sanitize(left);
  const r = sanitize(right);
  if (!r) return fit(l, width);
  const gap = width - displayWidth(l) - displayWidth(r);
  if (gap >= 2) return l + ' '.repeat(gap) + r;
  return fit(l, width);
}

export interface Column {
  /** Widest it gets (default: unbounded). */
  readonly max?: number;
  /** Narrowest it gets when the table is squeezed (default 4). */
  readonly min?: number;
  readonly right?: boolean;
  /** Columns with a drop rank leave the table, highest rank first, when it does not fit. */
  readonly drop?: number;
  /** The column that takes what is left (at most one; the last column by default). */
  readonly flex?: boolean;
}

/**
 * Rows (first one the header) laid out in `width` columns: natural widths capped by `max`, then
 * droppable columns removed, then the flexible column squeezed; every cell cut with "…".
 */
export function table(rows: readonly (readonly string[])[], columns: readonly Column[], width: number): string[] {
  const gap = 2;
  let keep = columns.map((_, i) => i);
  const natural = columns.map((c, i) => Math.min(c.max ?? Infinity, Math.max(0, ...rows.map((r) => displayWidth(sanitize(r[i] ?? ''))))));
  const total = (idx: number[]) => idx.reduce((s, i) => s + (natural[i] as number), 0) + gap * Math.max(0, idx.length - 1);
  const droppable = columns.map((c, i) => ({ i, rank: c.drop })).filter((d) => d.rank !== undefined).sort((a, b) => (b.rank as number) - (a.rank as number));
  for (const d of droppable) {
    if (total(keep) <= width) break;
    keep = keep.filter((i) => i !== d.i);
  }
  const widths = new Map(keep.map((i) => [i, natural[i] as number]));
  const flex = keep.find((i) => columns[i]?.flex) ?? (keep[keep.length - 1] as number);
  const over = total(keep) - width;
  if (over > 0) widths.set(flex, Math.max(columns[flex]?.min ?? 4, (widths.get(flex) as number) - over));
  return rows.map((r) =>
    keep
      .map((i, n) => {
        const w = widths.get(i) as number;
        const last = n === keep.length - 1;
        const text = last && !columns[i]?.right ? fit(r[i] ?? '', w) : cell(r[i] ?? '', w, columns[i]?.right);
        return text;
      })
      .join(' '.repeat(gap))
      .trimEnd(),
  ).map((line) => fit(line, width));
}
