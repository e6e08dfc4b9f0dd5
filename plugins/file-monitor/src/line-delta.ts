import { createRequire } from 'node:module';
import type { diffLines as DiffLines } from 'diff';

// Loaded on the first diff, not at plugin start (every `devflow mcp` process starts this plugin).
const requireCjs = createRequire(import.meta.url);
let diffLinesFn: typeof DiffLines | undefined;
const diffLines: typeof DiffLines = ((...args: Parameters<typeof DiffLines>) =>
  (diffLinesFn ??= (requireCjs('diff') as { diffLines: typeof DiffLines }).diffLines)(...args)) as typeof DiffLines;

export interface LineDelta {
  added: number;
  removed: number;
  /** False when the edit was too large to diff and the numbers come from matching lines as a multiset. */
  exact: boolean;
}

/** Bytes of a file looked at to tell binary from text (git looks at the same amount). */
export const BINARY_SNIFF_BYTES = 8000;

/** True for content with a NUL byte in its first 8,000 bytes: git's test for binary files. */
export function isBinary(buf: Uint8Array): boolean {
  const n = Math.min(buf.length, BINARY_SNIFF_BYTES);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return true;
  return false;
}

/** Lines in a text: newline-terminated lines plus a last line without one. */
export function countLines(text: string): number {
  if (text.length === 0) return 0;
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n : n + 1;
}

/** The same count straight from bytes (for files too large to decode for a diff). */
export function countLinesInBytes(buf: Uint8Array): number {
  if (buf.length === 0) return 0;
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return buf[buf.length - 1] === 10 ? n : n + 1;
}

const splitLines = (text: string): string[] => {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
};

/**
 * Lines added and removed between two versions of a text file, as `git diff --numstat` counts them
 * (a changed line is one removed and one added). Uses the `diff` library's Myers diff, bounded to
 * `maxEditLength` edits; past that (a rewrite) it counts lines that are not matched in the other
 * version as a multiset, which is exact for pure additions and removals and close otherwise.
 */
export function lineDelta(before: string, after: string, maxEditLength = 4000): LineDelta {
  if (before === after) return { added: 0, removed: 0, exact: true };
  if (before === '') return { added: countLines(after), removed: 0, exact: true };
  if (after === '') return { added: 0, removed: countLines(before), exact: true };
  const parts = diffLines(before, after, { maxEditLength, timeout: 250 });
  if (parts) {
    let added = 0;
    let removed = 0;
    for (const p of parts) {
      if (p.added) added += p.count ?? countLines(p.value);
      else if (p.removed) removed += p.count ?? countLines(p.value);
    }
    return { added, removed, exact: true };
  }
  const counts = new Map<string, number>();
  for (const l of splitLines(before)) counts.set(l, (counts.get(l) ?? 0) + 1);
  let added = 0;
  let kept = 0;
  for (const l of splitLines(after)) {
    const n = counts.get(l) ?? 0;
    if (n > 0) (counts.set(l, n - 1), kept++);
    else added++;
  }
  return { added, removed: splitLines(before).length - kept, exact: false };
}
