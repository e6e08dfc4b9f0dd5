import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Directory names the file monitor skips by default (its DEFAULT_IGNORES, directory entries):
 * the estimate walks around them like the watcher does. .gitignore files are not read, so the
 * estimate can be above the real number, never far below.
 */
export const IGNORED_DIRS = new Set([
  '.git', '.hg', '.svn', '.jj', 'node_modules', 'bower_components', 'jspm_packages', '.pnpm-store', '.venv', 'venv', '__pycache__', '.tox',
  'dist', 'build', 'out', 'target', '.next', '.nuxt', '.svelte-kit', '.output', '.parcel-cache', '.vercel', '.gradle',
  '.cache', '.turbo', 'coverage', '.nyc_output', '.pytest_cache', '.mypy_cache', '.ruff_cache', '.idea',
]);

export interface TreeCount {
  dirs: number;
  files: number;
  /** False when the walk stopped at its entry or time budget: the numbers are lower bounds. */
  complete: boolean;
}

/** Count directories and files under the roots, bounded by entries and time, following no symlinks. */
export function countTree(roots: readonly string[], options: { maxEntries?: number; budgetMs?: number; useDefaultIgnores?: boolean } = {}): TreeCount {
  const maxEntries = options.maxEntries ?? 500_000;
  const deadline = performance.now() + (options.budgetMs ?? 3000);
  const skip = options.useDefaultIgnores === false ? new Set<string>() : IGNORED_DIRS;
  const out: TreeCount = { dirs: 0, files: 0, complete: true };
  const stack = [...roots];
  while (stack.length) {
    if (out.dirs + out.files >= maxEntries || performance.now() > deadline) {
      out.complete = false;
      break;
    }
    const dir = stack.pop() as string;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // vanished or unreadable: the watcher cannot watch it either
    }
    out.dirs++;
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!skip.has(e.name)) stack.push(join(dir, e.name));
      } else out.files++;
    }
  }
  return out;
}
