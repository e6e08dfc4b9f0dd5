// The branches of a repository as people ask about them: how old, last commit, how far ahead of
// and behind the default branch, merged or not. Read live from git (bounded), not from the log.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Repository } from './discover.js';
import { GitClient } from './git-client.js';
import { parseHeadFile, parseReflog, pickDefaultBranch, type RefEntry } from './refs.js';

export interface BranchInfo {
  name: string;
  /** Worktrees that have it checked out. */
  checkedOut: string[];
  lastCommit: { hash: string; subject: string; author: string; committedAt: string };
  /** When the branch was created, from its reflog (null when the reflog does not reach back). */
  createdAt: string | null;
  /** Days since it was created, else since its last commit. */
  ageDays: number;
  /** Against the default branch; null for the default branch itself. */
  ahead: number | null;
  behind: number | null;
  merged: boolean | null;
}

export interface BranchReport {
  repo: string;
  project: string;
  defaultBranch: string | null;
  branches: BranchInfo[];
  /** Branches not listed because of the limit (least recently committed ones). */
  more: number;
}

async function firstReflogEntry(path: string) {
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(4096);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      return parseReflog(buf.subarray(0, bytesRead).toString('utf8').split('\n')[0] ?? '')[0] ?? null;
    } finally {
      await fh.close();
    }
  } catch {
    return null;
  }
}

const FORMAT = '--format=%(refname:strip=2)%00%(objectname)%00%(committerdate:unix)%00%(authorname)%00%(contents:subject)';

/** The `limit` most recently committed branches of a repository, each compared with the default branch. */
export async function branchReport(repo: Repository, o: { limit: number; now: number; defaultBranches: readonly string[]; signal?: AbortSignal }): Promise<BranchReport> {
  const client = new GitClient(repo.path, repo.commonDir, o.signal);
  const refs: RefEntry[] = await client.refs();
  const heads = await Promise.all(
    repo.worktrees.map(async (wt) => {
      try {
        return { path: wt.path, ...parseHeadFile(await GitClient.readHead(wt.gitDir)) };
      } catch {
        return { path: wt.path, ref: null, hash: null };
      }
    }),
  );
  const defaultBranch = pickDefaultBranch(refs, o.defaultBranches, heads.map((h) => ({ branch: h.ref?.startsWith('refs/heads/') ? h.ref.slice(11) : null, hash: h.hash })));
  const out = await client.git.raw(['for-each-ref', '--sort=-committerdate', FORMAT, 'refs/heads']);
  const rows = out.split('\n').filter(Boolean).map((l) => l.split('\0'));
  const shown = rows.slice(0, o.limit);
  const branches: BranchInfo[] = [];
  for (const [name = '', hash = '', date = '0', author = '', subject = ''] of shown) {
    if (o.signal?.aborted) break;
    const committedMs = Number(date) * 1000;
    const created = await firstReflogEntry(join(repo.commonDir, 'logs', 'refs', 'heads', name));
    let ahead: number | null = null;
    let behind: number | null = null;
    if (defaultBranch && name !== defaultBranch) [behind, ahead] = await client.aheadBehind(`refs/heads/${defaultBranch}`, `refs/heads/${name}`);
    const since = created?.ms ?? committedMs;
    branches.push({
      name,
      checkedOut: heads.filter((h) => h.ref === `refs/heads/${name}`).map((h) => h.path),
      lastCommit: { hash, subject, author, committedAt: new Date(committedMs).toISOString() },
      createdAt: created ? new Date(created.ms).toISOString() : null,
      ageDays: Math.max(0, Math.floor((o.now - since) / 86_400_000)),
      ahead,
      behind,
      merged: ahead === null ? null : ahead === 0,
    });
  }
  return { repo: repo.path, project: repo.project, defaultBranch, branches, more: Math.max(0, rows.length - shown.length) };
}
