import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Whether `child` is `parent` or inside it. */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The configured project root that contains `dir` (the deepest one when projects nest), or null.
 *
 * @example
 * ```ts
 * projectFor('/home/me/app/packages/web', ['/home/me/app']); // '/home/me/app'
 * ```
 */
export function projectFor(dir: string, projects: readonly string[]): string | null {
  let best: string | null = null;
  for (const p of projects) if (isInside(p, dir) && (best === null || p.length > best.length)) best = p;
  return best;
}

/** The `.git` directory of the work tree containing `dir` (following a worktree's `gitdir:` file). */
function gitDir(dir: string): string | null {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const dotGit = join(d, '.git');
    try {
      const st = statSync(dotGit);
      if (st.isDirectory()) return dotGit;
      const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
      return m ? resolve(d, (m[1] as string).trim()) : null;
    } catch {
      // not here; look in the parent
    }
    if (dirname(d) === d) return null;
  }
}

/**
 * The current branch of the git work tree containing `dir`, read from `.git/HEAD` (no git
 * process): the branch name, `detached@<short sha>` when HEAD is detached, or null outside git.
 *
 * @example
 * ```ts
 * gitBranch('/home/me/app/src'); // 'main'
 * ```
 */
export function gitBranch(dir: string): string | null {
  const git = gitDir(dir);
  if (!git) return null;
  try {
    const head = readFileSync(join(git, 'HEAD'), 'utf8').trim();
    const ref = /^ref:\s*refs\/heads\/(.+)$/.exec(head);
    if (ref) return ref[1] as string;
    return /^[0-9a-f]{7,64}$/.test(head) ? `detached@${head.slice(0, 12)}` : null;
  } catch {
    return null;
  }
}
