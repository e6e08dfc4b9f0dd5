import type { BulkSummary, ChangeKind } from './coalescer.js';
import type { KnownFile } from './content-cache.js';
import type { FileFacts, InspectProblem } from './file-inspector.js';
import { lineDelta } from './line-delta.js';
import type { MatchedBy } from './rename-pairer.js';

/** Payload of `file-monitor.file.changed`. */
export interface FileChangedData {
  path: string;
  kind: ChangeKind;
  language: string | null;
  ext: string;
  /** Bytes after the change (null when deleted or unreadable). */
  size: number | null;
  /** Lines after the change (null for binary, huge, unreadable or deleted files). */
  lines: number | null;
  linesAdded: number | null;
  linesRemoved: number | null;
  binary: boolean;
  /** Notifications folded into this event (repeated saves). */
  count: number;
}

/** Payload of `file-monitor.file.renamed`. */
export interface FileRenamedData {
  from: string;
  to: string;
  language: string | null;
  ext: string;
  size: number | null;
  lines: number | null;
  linesAdded: number | null;
  linesRemoved: number | null;
  count: number;
  matchedBy: MatchedBy;
}

/** Payload of `file-monitor.files.bulk-changed`. */
export interface BulkChangedData extends BulkSummary {
  durationMs: number;
}

type Lines = [added: number | null, removed: number | null];

/**
 * Lines added and removed by a change: all of a new file's lines; an exact diff against the text
 * last seen; none when the content identity did not change; else the net change from the line
 * count last seen; else unknown (null), as for binary, huge and unreadable files.
 */
export function changeLines(kind: ChangeKind, f: FileFacts, before: string | undefined, known: KnownFile | undefined): Lines {
  if (f.lines === null) return [null, null];
  if (kind === 'created') return [f.lines, 0];
  if (before !== undefined && f.text !== undefined) {
    const d = lineDelta(before, f.text);
    return [d.added, d.removed];
  }
  if (known?.key != null && known.key === f.key) return [0, 0];
  if (known?.lines != null) return [Math.max(0, f.lines - known.lines), Math.max(0, known.lines - f.lines)];
  return [null, null];
}

/** Lines of a rename: none for the same content, else as for a modification of the old file. */
export function renameLines(by: MatchedBy, f: FileFacts, before: string | undefined, known: KnownFile | undefined): Lines {
  return by === 'content' ? [0, 0] : changeLines('modified', f, before, known);
}

/** The warning for a file whose content could not be looked at: a dedupe key and the log line. */
export function problemWarning(root: string, path: string, p: InspectProblem, limits: { maxTextBytes: number; maxHashBytes: number }): { key: string; obj: Record<string, unknown>; msg: string } {
  const at = { project: root, path };
  switch (p.kind) {
    case 'vanished':
      return { key: `vanished:${path}`, obj: at, msg: `${path} in ${root} vanished before it could be read; reported without size or line counts` };
    case 'unreadable':
      return { key: `unreadable:${path}:${p.code}`, obj: { ...at, code: p.code }, msg: `cannot read ${path} in ${root} (${p.code}: ${p.message}); reported without size or line counts; check its permissions` };
    case 'not-a-file':
      return { key: `special:${path}`, obj: at, msg: `${path} in ${root} is not a regular file (a FIFO, socket or device); its content is never read` };
    case 'symlink-loop':
      return { key: `loop:${path}`, obj: { ...at, target: p.target }, msg: `${path} in ${root} is a symlink loop (-> ${p.target}); it is not followed` };
    case 'huge':
      return {
        key: `huge:${path}`,
        obj: { ...at, size: p.size },
        msg: `${path} in ${root} is ${p.size} bytes, over the size bound for line diffs (maxDiffBytes ${limits.maxTextBytes}); its lines are ${p.size > limits.maxHashBytes ? 'not counted (over maxHashBytes)' : 'counted but not diffed'}`,
      };
    case 'binary':
      return { key: `binary:${path}`, obj: at, msg: `${path} in ${root} is binary; reported without line counts` };
  }
}
