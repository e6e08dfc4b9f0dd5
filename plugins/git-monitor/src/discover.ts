// Finding the git repositories under the project roots: a bounded walk for `.git` entries, then git
// itself says where each one's git directories are, which worktrees share them, and whether it is
// shallow. Submodules are repositories of their own; linked worktrees belong to their main one.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { gitAt } from './git-client.js';

export interface Worktree {
  path: string;
  /** Its own git directory (HEAD lives here): the common dir for the main worktree. */
  gitDir: string;
}

export interface Repository {
  /** The main worktree's path: how events and tools name the repository. */
  path: string;
  /** The project root it belongs to. */
  project: string;
  commonDir: string;
  worktrees: Worktree[];
  shallow: boolean;
}

export interface DiscoverOptions {
  maxDepth: number;
  /** Directory names never entered (node_modules, vendor …). Hidden directories are skipped too. */
  ignore: readonly string[];
  signal?: AbortSignal;
}

export interface DiscoverProblem {
  path: string;
  message: string;
}

/** The project root a path belongs to: the longest root containing it, else the first root inside it. */
export function projectOf(path: string, roots: readonly string[]): string | null {
  let best: string | null = null;
  for (const r of roots) {
    if ((path === r || path.startsWith(r.endsWith(sep) ? r : r + sep)) && (best === null || r.length > best.length)) best = r;
  }
  if (best) return best;
  return roots.find((r) => r.startsWith(path + sep)) ?? null;
}

/** Directories under `roots` (down to `maxDepth` levels) that hold a `.git` directory or file. */
export async function findGitDirs(roots: readonly string[], o: DiscoverOptions): Promise<{ dirs: string[]; problems: DiscoverProblem[] }> {
  const ignore = new Set(o.ignore);
  const dirs: string[] = [];
  const problems: DiscoverProblem[] = [];
  const queue: [string, number][] = roots.map((r) => [r, 0]);
  const seen = new Set<string>();
  while (queue.length) {
    if (o.signal?.aborted) break;
    const [dir, depth] = queue.shift() as [string, number];
    if (seen.has(dir)) continue;
    seen.add(dir);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (depth === 0) problems.push({ path: dir, message: (e as Error).message });
      continue;
    }
    if (entries.some((e) => e.name === '.git' && (e.isDirectory() || e.isFile()))) dirs.push(dir);
    if (depth >= o.maxDepth) continue;
    for (const e of entries) {
      // Symbolic links are not followed: no cycles, no walking out of the project.
      if (!e.isDirectory() || e.name.startsWith('.') || ignore.has(e.name)) continue;
      queue.push([join(dir, e.name), depth + 1]);
    }
  }
  return { dirs, problems };
}

/** Where git says a directory's repository is; null when it is not inside one. */
export async function describe(dir: string): Promise<{ toplevel: string; gitDir: string; commonDir: string; shallow: boolean } | null> {
  const out = await gitAt(dir).raw(['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-dir', '--git-common-dir', '--is-shallow-repository']);
  const [toplevel, gitDir, commonDir, shallow] = out.trim().split('\n');
  if (!toplevel || !gitDir || !commonDir) return null;
  return { toplevel, gitDir, commonDir, shallow: shallow === 'true' };
}

/** The worktrees of a repository: main first (unless bare), then linked ones that still exist, each with its git directory. */
export async function listWorktrees(dir: string, commonDir: string): Promise<{ worktrees: Worktree[]; bare: boolean }> {
  const out = await gitAt(dir).raw(['worktree', 'list', '--porcelain']);
  const worktrees: Worktree[] = [];
  let bare = false;
  const blocks = out.split('\n\n').filter((b) => b.trim());
  for (let i = 0; i < blocks.length; i++) {
    const lines = (blocks[i] as string).split('\n');
    const path = lines.find((l) => l.startsWith('worktree '))?.slice(9);
    if (!path || lines.some((l) => l.startsWith('prunable'))) continue;
    if (i === 0) {
      if (lines.includes('bare')) bare = true;
      else worktrees.push({ path, gitDir: commonDir });
      continue;
    }
    const gitDir = await linkedGitDir(path);
    if (gitDir) worktrees.push({ path, gitDir });
  }
  return { worktrees, bare };
}

async function linkedGitDir(worktree: string): Promise<string | null> {
  try {
    const text = await readFile(join(worktree, '.git'), 'utf8');
    const m = /^gitdir: (.+)$/m.exec(text);
    if (!m) return null;
    const p = (m[1] as string).trim();
    return isAbsolute(p) ? p : resolve(worktree, p);
  } catch {
    return null;
  }
}

/**
 * Every repository under the project roots, and each root that itself lies inside a repository.
 * A directory git does not accept (corrupt, unsafe ownership) is reported in `problems`, not thrown.
 */
export async function discoverRepositories(roots: readonly string[], o: DiscoverOptions): Promise<{ repos: Repository[]; problems: DiscoverProblem[] }> {
  const { dirs, problems } = await findGitDirs(roots, o);
  for (const r of roots) if (existsSync(r) && !dirs.includes(r)) dirs.push(r); // a root inside a repository
  const byCommon = new Map<string, Repository>();
  for (const dir of dirs) {
    if (o.signal?.aborted) break;
    let d;
    try {
      d = await describe(dir);
    } catch (e) {
      // A root that is simply not inside a repository is no problem.
      const msg = (e as Error).message;
      if (!/not a git repository/i.test(msg) || existsSync(join(dir, '.git'))) problems.push({ path: dir, message: firstLine(msg) });
      continue;
    }
    if (!d || byCommon.has(d.commonDir)) continue;
    const project = projectOf(d.toplevel, roots) ?? projectOf(dir, roots) ?? dir;
    let worktrees: Worktree[] = [];
    let bare = false;
    try {
      ({ worktrees, bare } = await listWorktrees(d.toplevel, d.commonDir));
    } catch (e) {
      problems.push({ path: dir, message: firstLine((e as Error).message) });
    }
    if (!worktrees.length && !bare) worktrees = [{ path: d.toplevel, gitDir: d.gitDir }];
    // In a submodule git lists its git directory as the main worktree; the toplevel is right.
    if (d.gitDir === d.commonDir && worktrees[0]?.gitDir === d.commonDir) worktrees[0] = { path: d.toplevel, gitDir: d.commonDir };
    const main = worktrees[0];
    const path = main && main.gitDir === d.commonDir ? main.path : bare ? d.commonDir : d.toplevel;
    byCommon.set(d.commonDir, { path, project, commonDir: d.commonDir, worktrees, shallow: d.shallow });
  }
  return { repos: [...byCommon.values()], problems };
}

export function firstLine(message: string): string {
  return (message.split('\n').find((l) => l.trim()) ?? message).trim().slice(0, 300);
}
