// Recognizing merges from a commit and what surrounds it: a merge commit, a squash merge (GitHub's
// "(#123)" subject, git's "Squashed commit of the following:", a tree equal to a branch tip). Plain
// functions, no git process and no kernel.
import { prNumberSuffix } from './commit-message.js';

export type MergeKind = 'merge' | 'fast-forward' | 'squash';
export type MergeEvidence = 'parents' | 'reflog' | 'pr-suffix' | 'squash-message' | 'tree-match' | 'diff-match';

/** The payload of `git-monitor.merge.detected` (without repo and imported, added by the caller). */
export interface MergeInfo {
  /** The commit on the target branch that carries the merge. */
  hash: string;
  /** The branch merged into, when known. */
  into: string | null;
  kind: MergeKind;
  evidence: MergeEvidence;
  /** The branch that was merged, when the evidence names it. */
  mergedBranch: string | null;
  /** The tip that was merged, when known. */
  mergedHash: string | null;
  /** Pull/merge request number, when the message has one. */
  pr: number | null;
}

/**
 * The merged branch and request number a merge commit's message names, in the wordings of git,
 * GitHub, GitLab ("See merge request group/app!12") and Bitbucket.
 */
export function parseMergeSubject(subject: string, message = ''): { branch: string | null; pr: number | null } {
  let m = /^Merge pull request #(\d+) from [^/\s]+\/(\S+)/.exec(subject);
  if (m) return { branch: m[2] as string, pr: Number(m[1]) };
  m = /^Merged in (\S+) \(pull request #(\d+)\)/.exec(subject);
  if (m) return { branch: m[1] as string, pr: Number(m[2]) };
  const gitlab = /See merge request \S*!(\d+)/.exec(message);
  const pr = gitlab ? Number(gitlab[1]) : null;
  m = /^Merge remote-tracking branch '[^'/]+\/([^']+)'/.exec(subject) ?? /^Merge branch '([^']+)'/.exec(subject);
  return { branch: m ? (m[1] as string) : null, pr };
}

export interface MergeContext {
  /** The branch the commit was found on. */
  branch: string | null;
  defaultBranch: string | null;
  /** Current branch tips with their trees, to recognize a squash by its tree. */
  tips?: readonly { name: string; hash: string; tree: string | null }[];
}

/**
 * Whether a commit carries a merge, and on what evidence: two or more parents; or, on the default
 * branch, a subject ending in "(#123)", git's squash message, or a tree equal to another branch's
 * tip. Null when nothing says so.
 */
export function detectMerge(
  commit: { hash: string; parents: readonly string[]; tree: string; subject: string; message: string },
  ctx: MergeContext,
): MergeInfo | null {
  const base = { hash: commit.hash, into: ctx.branch, mergedHash: null as string | null };
  if (commit.parents.length > 1) {
    const { branch, pr } = parseMergeSubject(commit.subject, commit.message);
    return { ...base, kind: 'merge', evidence: 'parents', mergedBranch: branch, mergedHash: commit.parents[1] ?? null, pr };
  }
  if (!ctx.branch || ctx.branch !== ctx.defaultBranch) return null;
  const tip = ctx.tips?.find((t) => t.tree === commit.tree && t.name !== ctx.branch && t.hash !== commit.hash);
  const pr = prNumberSuffix(commit.subject);
  if (pr !== null) return { ...base, kind: 'squash', evidence: 'pr-suffix', mergedBranch: tip?.name ?? null, mergedHash: tip?.hash ?? null, pr };
  if (/^Squashed commit of the following:/m.test(commit.message)) {
    return { ...base, kind: 'squash', evidence: 'squash-message', mergedBranch: tip?.name ?? null, mergedHash: tip?.hash ?? null, pr: null };
  }
  if (tip) return { ...base, kind: 'squash', evidence: 'tree-match', mergedBranch: tip.name, mergedHash: tip.hash, pr: null };
  return null;
}

/** Two file-statistics lists describe the same change (order does not matter). */
export function sameChange(a: readonly { path: string; added: number | null; removed: number | null }[], b: readonly { path: string; added: number | null; removed: number | null }[]): boolean {
  if (a.length !== b.length || a.length === 0) return false;
  const key = (f: { path: string; added: number | null; removed: number | null }) => `${f.path}\0${f.added ?? '-'}\0${f.removed ?? '-'}`;
  const set = new Set(a.map(key));
  return b.every((f) => set.has(key(f)));
}
