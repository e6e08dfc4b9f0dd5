// Which branch a commit was made on, as far as the history says: the default branch's first-parent
// line belongs to it; a branch tip and its first-parent line to that branch; the side of a merge to
// the branch the merge message names; anything else to the tip it was reached from. Works on a
// stream of commits, children before parents (git log order), so an import can record
// commits while git is still printing. Plain code, no git process and no kernel.
import { splitMessage } from './commit-message.js';
import { branchOfSource, type RawCommit } from './log-parser.js';
import { parseMergeSubject } from './merges.js';

// How strongly a commit is claimed for a branch; a stronger claim wins.
const DEFAULT_LINE = 3;
const LINE = 2;
const MERGED_SIDE = 1;

export class BranchAttributor {
  private readonly claims = new Map<string, { branch: string | null; rank: number }>();

  /** `tips`: each walked tip hash → its branch (null for a detached HEAD). */
  constructor(
    private readonly tips: ReadonlyMap<string, string | null>,
    private readonly defaultBranch: string | null,
  ) {}

  /**
   * The branch of the next commit in the stream. Children should come before their parents (git's
   * --topo-order, or its default date order with sane clocks); a parent seen before its child
   * keeps the branch of the tip it was reached from.
   */
  next(c: RawCommit): string | null {
    const claim = this.claims.get(c.hash);
    this.claims.delete(c.hash);
    const tip = this.tips.get(c.hash);
    let branch: string | null;
    let rank: number;
    if (tip && tip === this.defaultBranch) [branch, rank] = [tip, DEFAULT_LINE];
    else if (claim?.rank === DEFAULT_LINE) [branch, rank] = [claim.branch, DEFAULT_LINE];
    else if (tip) [branch, rank] = [tip, LINE];
    else if (claim) [branch, rank] = [claim.branch, claim.rank];
    else [branch, rank] = [c.source ? (this.tips.has(c.source) ? (this.tips.get(c.source) ?? null) : branchOfSource(c.source)) : null, LINE];
    if (c.parents[0]) this.claim(c.parents[0], branch, rank);
    if (c.parents.length > 1) {
      const merged = parseMergeSubject(splitMessage(c.message).subject, c.message).branch;
      if (merged) for (const p of c.parents.slice(1)) this.claim(p, merged, MERGED_SIDE);
    }
    return branch;
  }

  private claim(hash: string, branch: string | null, rank: number): void {
    const had = this.claims.get(hash);
    if (!had || had.rank < rank) this.claims.set(hash, { branch, rank });
  }
}

/** Attribute a whole list of commits (newest first, children before parents); see {@link BranchAttributor}. */
export function attributeBranches(commits: readonly RawCommit[], tips: ReadonlyMap<string, string | null>, defaultBranch: string | null): Map<string, string | null> {
  const a = new BranchAttributor(tips, defaultBranch);
  return new Map(commits.map((c) => [c.hash, a.next(c)]));
}
