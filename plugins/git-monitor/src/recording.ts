// What the live monitor and the history import share: the event names, reading a repository's
// refs and HEADs into a state, collecting new commits with their branch, and recording commits and
// merges in the monitor's tables with the events to emit for what was new. Knows git and its own
// tables, not the kernel: events leave through the `emit` function it is given.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@devflow/plugin-sdk';
import { attributeBranches } from './attribute.js';
import type { Repository } from './discover.js';
import { GitClient } from './git-client.js';
import { toCommitData, type RawCommit } from './log-parser.js';
import { detectMerge, type MergeInfo } from './merges.js';
import { buildState, parseHeadFile, type RepoState } from './refs.js';
import type { GitStore } from './store.js';

export const EVENT = {
  commitCreated: 'git-monitor.commit.created',
  branchCreated: 'git-monitor.branch.created',
  branchDeleted: 'git-monitor.branch.deleted',
  branchSwitched: 'git-monitor.branch.switched',
  mergeDetected: 'git-monitor.merge.detected',
  historyRewritten: 'git-monitor.history.rewritten',
  tagCreated: 'git-monitor.tag.created',
  stashCreated: 'git-monitor.stash.created',
} as const;

export interface MonitorConfig {
  maxFilesPerCommit: number;
  issueKeyPrefixes: readonly string[];
  defaultBranches: readonly string[];
  /** Most commits one scan records (a huge pull is cut, with a warning). */
  maxCommitsPerScan: number;
  /** Most commits one history import records. */
  maxBackfillCommits: number;
}

export type Emit = (type: string, data: Record<string, unknown>, options: { project: string | null; ts: number }) => void;

export interface MonitorDeps {
  store: GitStore;
  emit: Emit;
  logger: Logger;
  config: MonitorConfig;
  now?: () => number;
}

export interface Outgoing {
  type: string;
  data: Record<string, unknown>;
  ts: number;
}

export type Tips = Map<string, string | null>;

/** A git operation that leaves HEAD somewhere temporary (rebase, am, bisect), or null. */
export function operationInProgress(gitDir: string): 'rebase' | 'bisect' | null {
  if (existsSync(join(gitDir, 'rebase-merge')) || existsSync(join(gitDir, 'rebase-apply'))) return 'rebase';
  if (existsSync(join(gitDir, 'BISECT_LOG'))) return 'bisect';
  return null;
}

export type HeadFile = { ref: string | null; hash: string | null };

async function readHeads(repo: Repository, overrides: Readonly<Record<string, HeadFile>> = {}): Promise<Record<string, HeadFile>> {
  const heads: Record<string, HeadFile> = {};
  for (const wt of repo.worktrees) {
    const fixed = overrides[wt.path];
    if (fixed) {
      heads[wt.path] = fixed;
      continue;
    }
    try {
      heads[wt.path] = parseHeadFile(await GitClient.readHead(wt.gitDir));
    } catch {
      // A linked worktree removed by hand: rediscovery drops it.
    }
  }
  return heads;
}

export async function readState(client: GitClient, repo: Repository, defaults: readonly string[], prev: RepoState | null, overrides?: Readonly<Record<string, HeadFile>>): Promise<RepoState> {
  const refs = await client.refs();
  return buildState(refs, await readHeads(repo, overrides), defaults, prev);
}

/**
 * The commits reachable from `tips` and not from `not`, oldest first, each with the branch it is
 * attributed to (see attributeBranches). One git process.
 */
export async function collectCommits(
  client: GitClient,
  defaultBranch: string | null,
  tips: Tips,
  o: { not: readonly string[]; sinceMs?: number; maxCount: number },
): Promise<{ commits: { raw: RawCommit; branch: string | null }[]; skipped: number }> {
  const r = await client.log({ revs: [...tips.keys()], not: o.not, ...(o.sinceMs !== undefined ? { sinceMs: o.sinceMs } : {}), maxCount: o.maxCount, topoOrder: true });
  const branches = attributeBranches(r.commits, tips, defaultBranch);
  const commits = r.commits.map((raw) => ({ raw, branch: branches.get(raw.hash) ?? null })).reverse();
  return { commits, skipped: r.skipped };
}

export function allTips(state: RepoState): Tips {
  const tips: Tips = new Map();
  for (const h of Object.values(state.heads)) if (h.hash && h.branch === null) tips.set(h.hash, null);
  for (const [name, b] of Object.entries(state.branches)) tips.set(b.hash, name);
  return tips;
}

export type SquashCandidate = { name: string; hash: string; tree: string | null };

/**
 * Branch tips whose tree a commit on the default branch may match as a squash merge: not the
 * default branch, and not already merged into it (a tip that is an ancestor is a base, not a
 * squash — an empty commit or a revert would otherwise look like one). With `trees`, only tips
 * with one of those trees are considered, and git is asked only when there is one.
 */
export async function squashCandidates(client: GitClient, state: RepoState, trees?: ReadonlySet<string>): Promise<SquashCandidate[]> {
  const def = state.defaultBranch;
  const defaultHash = def ? state.branches[def]?.hash : undefined;
  if (!def || !defaultHash) return [];
  const tips = Object.entries(state.branches)
    .filter(([name, b]) => name !== def && b.tree && (!trees || trees.has(b.tree)))
    .map(([name, b]) => ({ name, hash: b.hash, tree: b.tree }));
  if (!tips.length) return [];
  const merged = await client.mergedInto(defaultHash);
  return tips.filter((t) => !merged.has(t.name));
}

/** Build the outgoing events of new commits and the merges they carry, recording them; call inside a transaction. */
export function recordCommits(
  deps: MonitorDeps,
  repo: Repository,
  state: RepoState,
  commits: readonly { raw: RawCommit; branch: string | null }[],
  imported: boolean,
  now: number,
  tips: readonly SquashCandidate[],
  rewritten: ReadonlySet<string> = new Set(),
): { commits: Outgoing[]; merges: Outgoing[] } {
  const { store, config } = deps;
  const out = { commits: [] as Outgoing[], merges: [] as Outgoing[] };
  for (const { raw, branch } of commits) {
    const rewrite = branch !== null && rewritten.has(branch);
    const data = toCommitData(raw, { repo: repo.path, branch, maxFiles: config.maxFilesPerCommit, issueKeyPrefixes: config.issueKeyPrefixes, imported, rewrite });
    if (!store.addCommit(data, repo.project, now)) continue;
    out.commits.push({ type: EVENT.commitCreated, data, ts: raw.committedMs });
    const merge = detectMerge({ ...raw, subject: data.subject }, { branch, defaultBranch: state.defaultBranch, tips });
    if (merge && store.addMerge(repo.path, merge.hash, merge.kind, now)) out.merges.push(mergeEvent(repo, merge, imported, raw.committedMs));
  }
  return out;
}

export function mergeEvent(repo: Repository, m: MergeInfo, imported: boolean, ts: number): Outgoing {
  return { type: EVENT.mergeDetected, data: { repo: repo.path, ...m, imported }, ts };
}

export function emitAll(deps: MonitorDeps, repo: Repository, events: readonly Outgoing[]): void {
  for (const e of events) deps.emit(e.type, e.data, { project: repo.project, ts: e.ts });
}


export function tagData(repo: Repository, t: { name: string; target: string; annotated: boolean; dateMs: number | null; subject: string }, replaced: string | null, imported: boolean): Record<string, unknown> {
  return {
    repo: repo.path,
    tag: t.name,
    hash: t.target,
    annotated: t.annotated,
    message: t.subject || null,
    taggedAt: t.dateMs === null ? null : new Date(t.dateMs).toISOString(),
    replaced,
    imported,
  };
}

