import { basename, dirname, extname } from 'node:path';

/** A deletion waiting for a matching creation. */
export interface PendingDelete<T = unknown> {
  path: string;
  /** Content identity (size and hash) when known, else null. */
  key: string | null;
  /** When the deletion was seen; it is given up on `windowMs` later. */
  at: number;
  /** Whatever the caller wants back with the match. */
  info: T;
}

export type MatchedBy = 'content' | 'name';

/**
 * Pairs a deletion and a creation within a short window into a rename. A creation matches a held
 * deletion with the same content identity (`content`). When the deleted file's content was never
 * seen, it matches the only such deletion with the same file name elsewhere, or else the only one
 * in the same directory with the same extension (`name`). Pure: time is passed in.
 */
export class RenamePairer<T = unknown> {
  private readonly pending = new Map<string, PendingDelete<T>>();

  constructor(private readonly windowMs: number) {}

  get size(): number {
    return this.pending.size;
  }

  has(path: string): boolean {
    return this.pending.has(path);
  }

  add(d: PendingDelete<T>): void {
    this.pending.delete(d.path);
    this.pending.set(d.path, d);
  }

  /** The held deletion a creation of `path` (content identity `key`) completes, removed; or undefined. */
  match(path: string, key: string | null): { deleted: PendingDelete<T>; by: MatchedBy } | undefined {
    if (this.pending.size === 0) return undefined;
    let byContent: PendingDelete<T> | undefined;
    const sameName: PendingDelete<T>[] = [];
    const sameDirExt: PendingDelete<T>[] = [];
    const name = basename(path);
    const dir = dirname(path);
    const ext = extname(path);
    for (const d of this.pending.values()) {
      if (d.path === path) continue;
      if (key !== null && d.key === key) {
        if (!byContent || (basename(d.path) === name && basename(byContent.path) !== name)) byContent = d;
      } else if (d.key === null) {
        if (basename(d.path) === name) sameName.push(d);
        else if (dirname(d.path) === dir && extname(d.path) === ext) sameDirExt.push(d);
      }
    }
    const found = byContent ? { deleted: byContent, by: 'content' as const } : sameName.length === 1 ? { deleted: sameName[0] as PendingDelete<T>, by: 'name' as const } : sameName.length === 0 && sameDirExt.length === 1 ? { deleted: sameDirExt[0] as PendingDelete<T>, by: 'name' as const } : undefined;
    if (found) this.pending.delete(found.deleted.path);
    return found;
  }

  /** Deletions whose window has passed at `now` (they are plain deletions), removed. */
  expire(now: number): PendingDelete<T>[] {
    const out: PendingDelete<T>[] = [];
    for (const d of this.pending.values()) {
      if (d.at + this.windowMs > now) break;
      out.push(d);
    }
    for (const d of out) this.pending.delete(d.path);
    return out;
  }

  /** Take everything now (on stop). */
  takeAll(): PendingDelete<T>[] {
    const out = [...this.pending.values()];
    this.pending.clear();
    return out;
  }

  nextDeadline(): number | undefined {
    const first = this.pending.values().next();
    return first.done ? undefined : first.value.at + this.windowMs;
  }
}
