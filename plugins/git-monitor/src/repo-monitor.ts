// One repository under watch: compare what its refs look like now with what they looked like last
// time, and turn the difference into events (commits, branches, merges, rewrites, tags, stashes).
// Knows git and its own tables, not the kernel: events leave through the `emit` function it is given.
import type { Repository } from './discover.js';
import { backfill } from './backfill.js';
import { GitClient } from './git-client.js';
import { sameChange, type MergeInfo } from './merges.js';
import { classifyReflog, diffState, parseStashMessage, type RepoState } from './refs.js';
import {
  collectCommits,
  emitAll,
  EVENT,
  mergeEvent,
  operationInProgress,
  readState,
  recordCommits,
  squashCandidates,
  tagData,
  type HeadFile,
  type MonitorDeps,
  type Outgoing,
  type Tips,
} from './recording.js';

/**
 * Watches one repository's state. `request()` scans (serialized: a request during a scan makes one
 * more scan after it); the first scan of a repository never seen before snapshots it and imports
 * its history instead.
 */
export class RepoMonitor {
  private running: Promise<void> | null = null;
  private dirty = false;
  private readonly pausedWarned = new Set<string>();
  private shallowWarned = false;

  constructor(
    public repo: Repository,
    private readonly deps: MonitorDeps,
    private readonly options: {
      backfillDays: number;
      signal: AbortSignal;
      onError: (e: unknown, monitor: RepoMonitor) => void;
      onScanned?: (monitor: RepoMonitor) => void;
    },
  ) {}

  /** Scan now, or once more after the running scan. Never rejects (errors go to onError). */
  request(): Promise<void> {
    if (this.running) {
      this.dirty = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.dirty = false;
          await this.scanOnce();
        } while (this.dirty && !this.options.signal.aborted);
        this.options.onScanned?.(this);
      } catch (e) {
        if (!this.options.signal.aborted) this.options.onError(e, this);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private client(): GitClient {
    return new GitClient(this.repo.path, this.repo.commonDir, this.options.signal);
  }

  private async scanOnce(): Promise<void> {
    if (this.options.signal.aborted) return;
    if (this.repo.shallow && !this.shallowWarned) {
      this.shallowWarned = true;
      this.deps.logger.warn({ repo: this.repo.path }, `git-monitor: ${this.repo.path} is a shallow clone: history before its shallow boundary is missing, so the import stops there and boundary commits name parents git does not have; run "git fetch --unshallow" there for full history`);
    }
    const stored = this.deps.store.getRepo(this.repo.path);
    if (!stored) return this.firstSight();
    if (stored.backfilledAt === null) await this.importHistory();
    await this.scanFrom(stored.state, stored.version);
  }

  private async firstSight(): Promise<void> {
    const state = await readState(this.client(), this.repo, this.deps.config.defaultBranches, null);
    if (!this.deps.store.addRepo(this.repo.path, this.repo.project, this.repo.commonDir, state, this.now())) return; // another process was first
    this.deps.logger.info({ repo: this.repo.path, project: this.repo.project, branches: Object.keys(state.branches).length, worktrees: this.repo.worktrees.length }, 'git-monitor: watching a new repository');
    await this.importHistory();
  }

  private async importHistory(): Promise<void> {
    const days = this.options.backfillDays;
    if (days > 0) {
      const started = this.now();
      const r = await backfill(this.repo, this.deps, { days, signal: this.options.signal });
      if (r.cancelled) return;
      this.deps.logger.info({ repo: this.repo.path, days, seen: r.seen, added: r.added, merges: r.merges, tags: r.tags, ms: this.now() - started }, 'git-monitor: imported repository history');
    }
    this.deps.store.markBackfilled(this.repo.path, this.now());
  }

  private async scanFrom(prev: RepoState, version: number): Promise<void> {
    const { store, config, logger } = this.deps;
    const repo = this.repo;
    const client = this.client();
    // A worktree in the middle of a rebase or bisect has a temporary detached HEAD: its HEAD is left
    // as it was until the operation ends, and the rebase's result is judged then.
    const paused: Record<string, HeadFile> = {};
    for (const wt of repo.worktrees) {
      const op = operationInProgress(wt.gitDir);
      if (!op) {
        if (this.pausedWarned.delete(wt.path)) logger.info({ repo: repo.path, worktree: wt.path }, 'git-monitor: operation finished; watching HEAD again');
        continue;
      }
      const was = prev.heads[wt.path];
      paused[wt.path] = was?.branch ? { ref: `refs/heads/${was.branch}`, hash: null } : { ref: null, hash: was?.hash ?? null };
      if (!this.pausedWarned.has(wt.path)) {
        this.pausedWarned.add(wt.path);
        logger.warn({ repo: repo.path, worktree: wt.path, operation: op }, `git-monitor: ${wt.path} is in the middle of a ${op}; its HEAD is ignored until the ${op} is finished or aborted ("git ${op} --continue" or "--abort")`);
      }
    }
    const next = await readState(client, repo, config.defaultBranches, prev, paused);
    if (JSON.stringify(prev) === JSON.stringify(next)) return;
    const changes = diffState(prev, next);
    const now = this.now();

    // New commits: reachable from what moved, not from anything known before.
    const tips: Tips = new Map();
    for (const b of [...changes.branchesCreated, ...changes.branchesMoved.map((m) => ({ name: m.name, hash: m.to }))]) tips.set(b.hash, b.name);
    for (const d of changes.detachedMoved) if (!tips.has(d.to)) tips.set(d.to, null);
    const known = new Set<string>();
    for (const b of Object.values(prev.branches)) known.add(b.hash);
    for (const h of Object.values(prev.heads)) if (h.hash) known.add(h.hash);
    const { commits, skipped } = tips.size ? await collectCommits(client, next.defaultBranch, tips, { not: [...known], maxCount: config.maxCommitsPerScan }) : { commits: [], skipped: 0 };
    if (skipped) logger.warn({ repo: repo.path, skipped }, `git-monitor: ${skipped} commit record(s) in ${repo.path} could not be parsed and were skipped`);
    if (commits.length >= config.maxCommitsPerScan) {
      logger.warn({ repo: repo.path, limit: config.maxCommitsPerScan }, `git-monitor: more than ${config.maxCommitsPerScan} new commits appeared at once in ${repo.path}; only the newest ${config.maxCommitsPerScan} are recorded (raise maxCommitsPerScan, or run git_backfill)`);
    }
    const rewritten = new Set<string>();
    const events: { before: Outgoing[]; after: Outgoing[]; merges: { info: MergeInfo; ts: number }[] } = { before: [], after: [], merges: [] };

    for (const c of changes.branchesCreated) events.before.push({ type: EVENT.branchCreated, data: { repo: repo.path, branch: c.name, hash: c.hash }, ts: now });
    for (const s of changes.headsSwitched) {
      events.before.push({ type: EVENT.branchSwitched, data: { repo: repo.path, worktree: s.worktree, from: s.from, to: s.to, hash: s.hash, detached: s.to === null }, ts: now });
    }

    // Moved branches: forward (maybe a fast-forward merge) or rewritten (rebase, amend, reset).
    for (const m of changes.branchesMoved) {
      const base = await client.mergeBase(m.from, m.to);
      const entry = (await client.reflog(`refs/heads/${m.name}`)).reverse().find((e) => e.new === m.to && e.old === m.from) ?? null;
      const why = entry ? classifyReflog(entry.message) : null;
      if (base === m.from) {
        if (why?.kind === 'fast-forward') {
          events.merges.push({ info: { hash: m.to, into: m.name, kind: 'fast-forward', evidence: 'reflog', mergedBranch: why.merged, mergedHash: m.to, pr: null }, ts: entry?.ms ?? now });
        }
        continue;
      }
      rewritten.add(m.name);
      const dropped = await client.countOnly(m.from, m.to);
      const added = await client.countOnly(m.to, m.from);
      const kind = why && ['rebase', 'amend', 'reset', 'filter-branch', 'cherry-pick'].includes(why.kind) ? why.kind : 'other';
      events.after.push({
        type: EVENT.historyRewritten,
        data: { repo: repo.path, branch: m.name, from: m.from, to: m.to, kind, mergeBase: base, dropped, added, reflog: entry?.message ?? null },
        ts: entry?.ms ?? now,
      });
    }

    // Deleted branches: was it merged? If not, did its change land on the default branch as a squash?
    const defaultHash = next.defaultBranch ? next.branches[next.defaultBranch]?.hash : undefined;
    const deleted: Outgoing[] = [];
    for (const d of changes.branchesDeleted) {
      let merged: boolean | null = null;
      if (defaultHash && d.name !== next.defaultBranch) {
        const base = await client.mergeBase(d.hash, defaultHash).catch(() => null);
        merged = base === d.hash;
        if (!merged && base) {
          const squash = await this.findSquash(client, d, base, defaultHash, prev.branches[d.name]?.tree ?? null);
          if (squash) events.merges.push({ info: { hash: squash.hash, into: next.defaultBranch, kind: 'squash', evidence: squash.evidence, mergedBranch: d.name, mergedHash: d.hash, pr: null }, ts: now });
        }
      }
      deleted.push({ type: EVENT.branchDeleted, data: { repo: repo.path, branch: d.name, hash: d.hash, merged }, ts: now });
    }

    const tags = changes.tagsCreated.length ? await client.tags(changes.tagsCreated.map((t) => t.name)) : [];
    let stash: Outgoing | null = null;
    if (changes.stashCreated) {
      const entry = (await client.reflog('refs/stash')).reverse().find((e) => e.new === changes.stashCreated);
      const { branch, message } = parseStashMessage(entry?.message ?? '');
      stash = { type: EVENT.stashCreated, data: { repo: repo.path, hash: changes.stashCreated, branch, message: message || null }, ts: entry?.ms ?? now };
    }

    const onDefault = commits.filter((c) => c.branch !== null && c.branch === next.defaultBranch && c.raw.parents.length === 1);
    const squashTips = onDefault.length ? await squashCandidates(client, next, new Set(onDefault.map((c) => c.raw.tree))) : [];
    // One transaction: the state moves forward only if no other process moved it first, and each
    // commit, merge and tag is recorded once; events go out for what was new.
    const out = store.transaction(() => {
      store.updateRepo(repo.path, repo.project, next, version, now);
      const recorded = recordCommits(this.deps, repo, next, commits, false, now, squashTips, rewritten);
      const merges = events.merges.filter((m) => store.addMerge(repo.path, m.info.hash, m.info.kind, now)).map((m) => mergeEvent(repo, m.info, false, m.ts));
      const newTags = tags.filter((t) => store.addTag(repo.path, t.name, t.target, now));
      const tagEvents = newTags.map((t) => ({ type: EVENT.tagCreated, data: tagData(repo, t, changes.tagsCreated.find((c) => c.name === t.name)?.replaced ?? null, false), ts: now }));
      return [...events.before, ...recorded.commits, ...events.after, ...recorded.merges, ...merges, ...tagEvents, ...(stash ? [stash] : []), ...deleted];
    });
    emitAll(this.deps, repo, out);
  }

  /** The commit on the default branch that carries a deleted branch's change (same tree, or same file statistics). */
  private async findSquash(client: GitClient, d: { name: string; hash: string }, base: string, defaultHash: string, tree: string | null): Promise<{ hash: string; evidence: 'tree-match' | 'diff-match' } | null> {
    const change = await client.diffStats(base, d.hash);
    const { commits } = await client.log({ revs: [defaultHash], not: [base], maxCount: 200 });
    for (const c of commits) {
      if (c.parents.length !== 1) continue;
      if (tree && c.tree === tree) return { hash: c.hash, evidence: 'tree-match' };
      if (sameChange(c.files, change)) return { hash: c.hash, evidence: 'diff-match' };
    }
    return null;
  }
}
