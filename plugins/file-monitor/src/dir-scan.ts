import { promises as fsp } from 'node:fs';
import { join } from 'node:path';

export interface ScanOptions {
  /** True for project-relative paths to skip (ignored, or another project's). */
  skip(rel: string, isDir: boolean): boolean;
  /** Stop after this many files. */
  limit: number;
  stopped(): boolean;
  onDir(rel: string): void;
  onFile(rel: string): void;
  /** A directory below `dir` that could not be listed (vanished ones are not reported). */
  onError(rel: string, error: unknown): void;
}

/**
 * Lists the files below a directory that just appeared (mkdir -p, mv in, cp -r), breadth first,
 * skipping ignored paths and following no symlinks. Resolves with whether it stopped at `limit`.
 */
export async function scanDirectory(root: string, dir: string, o: ScanOptions): Promise<{ truncated: boolean }> {
  const queue = [dir];
  let found = 0;
  while (queue.length && !o.stopped()) {
    const d = queue.shift() as string;
    let entries;
    try {
      entries = await fsp.readdir(join(root, d), { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') o.onError(d, e);
      continue;
    }
    for (const ent of entries) {
      const rel = `${d}/${ent.name}`;
      const isDir = ent.isDirectory();
      if (o.skip(rel, isDir)) continue;
      if (isDir) {
        o.onDir(rel);
        queue.push(rel);
      } else {
        if (++found > o.limit) return { truncated: true };
        o.onFile(rel);
      }
    }
  }
  return { truncated: false };
}
