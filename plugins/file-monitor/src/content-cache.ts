/**
 * The last seen text of recently changed files, for exact line diffs on their next change. Least
 * recently used entries go first once the texts add up to more than `maxChars` characters.
 */
export class ContentCache {
  private readonly texts = new Map<string, string>();
  private chars = 0;

  constructor(private readonly maxChars: number) {}

  get size(): number {
    return this.chars;
  }

  get(key: string): string | undefined {
    const text = this.texts.get(key);
    if (text !== undefined) {
      this.texts.delete(key);
      this.texts.set(key, text);
    }
    return text;
  }

  set(key: string, text: string): void {
    this.delete(key);
    if (text.length > this.maxChars) return;
    this.texts.set(key, text);
    this.chars += text.length;
    for (const [k, t] of this.texts) {
      if (this.chars <= this.maxChars) break;
      this.texts.delete(k);
      this.chars -= t.length;
    }
  }

  delete(key: string): void {
    const old = this.texts.get(key);
    if (old === undefined) return;
    this.texts.delete(key);
    this.chars -= old.length;
  }

  move(from: string, to: string): void {
    const text = this.texts.get(from);
    this.delete(from);
    if (text !== undefined) this.set(to, text);
  }
}

/** What is remembered about a file the monitor has seen: enough for line deltas and renames. */
export interface KnownFile {
  size: number | null;
  /** Content identity (`size:sha1`), null when the content could not be read. */
  key: string | null;
  lines: number | null;
}

/** The per-project memory of seen files (kept in SQLite by the plugin, in a Map by tests). */
export interface KnownFiles {
  get(path: string): KnownFile | undefined;
  set(path: string, file: KnownFile, ts: number): void;
  delete(path: string): void;
  /** Known paths below directory `dir` (project-relative), at most `limit`. */
  under(dir: string, limit: number): string[];
}

/** {@link KnownFiles} in memory. */
export class MemoryKnownFiles implements KnownFiles {
  readonly files = new Map<string, KnownFile>();
  get(path: string) {
    return this.files.get(path);
  }
  set(path: string, file: KnownFile) {
    this.files.set(path, file);
  }
  delete(path: string) {
    this.files.delete(path);
  }
  under(dir: string, limit: number) {
    const prefix = `${dir}/`;
    const out: string[] = [];
    for (const p of this.files.keys()) if (p.startsWith(prefix) && out.push(p) >= limit) break;
    return out;
  }
}
