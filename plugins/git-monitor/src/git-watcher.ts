// File-system triggers for a repository: the files git rewrites when a ref or HEAD moves. Each change
// only asks for a scan; the scan compares states, so a missed or doubled notification costs nothing
// but latency (and the slow poll catches what inotify missed).
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Repository } from './discover.js';

// Names in a git directory whose change can mean a ref or HEAD moved, or an operation ended.
const TOP_LEVEL = new Set(['HEAD', 'packed-refs', 'ORIG_HEAD', 'rebase-merge', 'rebase-apply', 'BISECT_LOG', 'refs']);

export interface WatchHandle {
  close(): void;
  /** How many directories are watched (0 when watching failed everywhere). */
  readonly watched: number;
}

/**
 * Watch a repository's git directories: the common directory itself (HEAD, packed-refs), its
 * `refs` tree recursively (Node 20 supports recursive fs.watch on Linux), and each linked
 * worktree's own directory (its HEAD). `onChange` gets the path that changed; `onError` a
 * directory that could not be watched (too many inotify watches, vanished) — the poll covers it.
 */
export function watchRepository(repo: Repository, onChange: (what: string) => void, onError: (path: string, error: Error) => void): WatchHandle {
  const watchers: FSWatcher[] = [];
  const add = (dir: string, recursive: boolean, relevant: (name: string) => boolean) => {
    try {
      const w = watch(dir, { recursive, persistent: false }, (_event, name) => {
        const file = name ? String(name) : '';
        if (!file || relevant(file)) onChange(join(dir, file));
      });
      w.on('error', (e) => {
        onError(dir, e);
        w.close();
      });
      watchers.push(w);
    } catch (e) {
      onError(dir, e as Error);
    }
  };
  add(repo.commonDir, false, (n) => TOP_LEVEL.has(n));
  // Remote-tracking refs (rewritten by every fetch) matter only for the remote's HEAD.
  add(join(repo.commonDir, 'refs'), true, (n) => !n.endsWith('.lock') && (!n.startsWith('remotes') || n.endsWith('HEAD')));
  for (const wt of repo.worktrees) if (wt.gitDir !== repo.commonDir) add(wt.gitDir, false, (n) => TOP_LEVEL.has(n));
  return {
    watched: watchers.length,
    close: () => {
      for (const w of watchers.splice(0)) w.close();
    },
  };
}
