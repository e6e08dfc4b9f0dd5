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


/**
 * Summary lines added up across a run (a runner may print one per file or per package):
 * `add('1 failed | 5 passed')` twice gives failed 2, passed 10. `seen` once any summary arrived.
 */
export class SummaryTally {
  private words: Map<string, number> | undefined;

  get seen(): boolean {
    return this.words !== undefined;
  }

  add(text: string): void {
    const words = (this.words ??= new Map());
    for (const [k, v] of countWords(text)) words.set(k, (words.get(k) ?? 0) + v);
  }

  /** A summary that counted nothing (`no tests ran`) still counts as seen. */
  touch(): void {
    this.words ??= new Map();
  }

  get(...keys: string[]): number {
    return keys.reduce((n, k) => n + (this.words?.get(k) ?? 0), 0);
  }
}
