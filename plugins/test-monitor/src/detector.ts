import type { BoundedNames } from './lines.js';
import type { TestCounts } from './types.js';

/** One runner's reading of the output: fed every line, asked at the end. */
export interface Detector {
  readonly runner: string;
  /** `first` is the first non-blank character ('' for a blank line): a cheap filter before any regex. */
  line(line: string, first: string): void;
  /** Counts when this runner's summary was seen, else null. */
  counts(): TestCounts | null;
  readonly names: BoundedNames;
}

export const int = (s: string | undefined) => (s === undefined ? 0 : Number.parseInt(s, 10) || 0);

/** `1 failed | 5 passed | 1 skipped` or `1 failed, 4 passed` → { failed: 1, passed: 5, … }. */
export function countWords(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/(\d+)\s+([a-z]+)/gi)) {
    const word = (m[2] as string).toLowerCase();
    out.set(word, (out.get(word) ?? 0) + int(m[1]));
  }
  return out;
}

