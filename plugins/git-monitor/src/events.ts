// The events git-monitor emits, typed for everyone who imports the plugin.
import type { CommitData } from './log-parser.js';
import type { MergeInfo } from './merges.js';

export type CommitCreated = CommitData;

export interface BranchCreated {
  [key: string]: unknown;
  repo: string;
  branch: string;
  hash: string;
}

export interface BranchDeleted {
  [key: string]: unknown;
  repo: string;
  branch: string;
  /** Its tip when it was deleted. */
  hash: string;
  /** Whether the tip was reachable from the default branch; null when there is no default branch. */
  merged: boolean | null;
}

export interface BranchSwitched {
  [key: string]: unknown;
  repo: string;
  /** The worktree whose HEAD changed (the repository path for the main worktree). */
  worktree: string;
  from: string | null;
  to: string | null;
  hash: string | null;
  detached: boolean;
}

export interface MergeDetected extends MergeInfo {
  [key: string]: unknown;
  repo: string;
  imported: boolean;
}

export interface HistoryRewritten {
  [key: string]: unknown;
  repo: string;
  branch: string;
  from: string;
  to: string;
  kind: 'rebase' | 'amend' | 'reset' | 'filter-branch' | 'cherry-pick' | 'other';
  mergeBase: string | null;
  /** Commits reachable from the old tip and not the new one. */
  dropped: number;
  /** Commits reachable from the new tip and not the old one. */
  added: number;
  reflog: string | null;
}

export interface TagCreated {
  [key: string]: unknown;
  repo: string;
  tag: string;
  /** The commit (or object) it points at. */
  hash: string;
  annotated: boolean;
  message: string | null;
  taggedAt: string | null;
  /** The object the tag pointed at before, when an existing tag was moved. */
  replaced: string | null;
  imported: boolean;
}

export interface StashCreated {
  [key: string]: unknown;
  repo: string;
  hash: string;
  branch: string | null;
  message: string | null;
}

declare module '@devflow/plugin-sdk' {
  interface DevflowEventMap {
    'git-monitor.commit.created': CommitCreated;
    'git-monitor.branch.created': BranchCreated;
    'git-monitor.branch.deleted': BranchDeleted;
    'git-monitor.branch.switched': BranchSwitched;
    'git-monitor.merge.detected': MergeDetected;
    'git-monitor.history.rewritten': HistoryRewritten;
    'git-monitor.tag.created': TagCreated;
    'git-monitor.stash.created': StashCreated;
  }
}
