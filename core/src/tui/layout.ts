/** Fitting sections of lines into a terminal's height: lists shrink first, with "… N more". */
import type { Line } from './model.js';
import { fit } from './text.js';

export interface Section {
  readonly title: string;
  readonly lines: readonly Line[];
  /** A list that may show fewer lines (ending in "… N more") when rows are short. */
  readonly shrink?: boolean;
  /** Items the data had beyond `lines` (counted in the "… N more" line). */
  readonly more?: number;
}

const moreLine = (n: number): Line => ({ text: `  … ${n} more`, style: 'dim' });

/** A list section: its items, or one dim line saying it is empty. */
export function list(title: string, items: readonly Line[], empty: string, more = 0): Section {
  return { title, lines: items.length ? items : [{ text: `  ${empty}`, style: 'dim' }], shrink: items.length > 0, more };
}

/**
 * Sections as lines in at most `rows` rows (Infinity: all of them) and `width` columns. Every
 * section keeps its title; shrinkable lists give up lines first, the longest first, down to one
 * "… N more" line; if the fixed lines alone do not fit, the end is cut with a last "…" line.
 */
export function fitSections(sections: readonly Section[], rows: number, width: number): Line[] {
  const sizes = sections.map((s) => s.lines.length + (s.more ? 1 : 0));
  let excess = sections.length + sizes.reduce((a, b) => a + b, 0) - rows;
  while (excess > 0) {
    let pick = -1;
    sections.forEach((s, i) => {
      if (s.shrink && (sizes[i] as number) > 1 && (pick < 0 || (sizes[i] as number) > (sizes[pick] as number))) pick = i;
    });
    if (pick < 0) break;
    sizes[pick] = (sizes[pick] as number) - 1;
    excess--;
  }
  const out: Line[] = [];
  sections.forEach((s, i) => {
    out.push({ text: s.title, style: 'section' });
    const size = sizes[i] as number;
    if (size >= s.lines.length + (s.more ? 1 : 0)) {
      out.push(...s.lines);
      if (s.more) out.push(moreLine(s.more));
    } else {
      out.push(...s.lines.slice(0, size - 1), moreLine(s.lines.length + (s.more ?? 0) - (size - 1)));
    }
  });
  const cut = out.length > rows ? [...out.slice(0, Math.max(0, rows - 1)), { text: `… ${out.length - rows + 1} more lines: make the terminal taller`, style: 'dim' as const }] : out;
  return cut.slice(0, Math.max(0, rows === Infinity ? cut.length : rows)).map((l) => ({ text: fit(l.text, width), style: l.style }));
}

/** `label   value` with the label padded to `labelWidth` columns. */
export function field(label: string, value: string, style?: Line['style']): Line {
  return { text: `  ${label.padEnd(10)}${value}`, style };
}
