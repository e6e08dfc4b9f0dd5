// The history import: one `git log --numstat` pass over a repository's branches, recorded while
// git prints it. Used on first sight of a repository and by the git_backfill tool.
import type { Repository } from './discover.js';
import { BranchAttributor } from './attribute.js';
import { GitClient } from './git-client.js';
import type { RawCommit } from './log-parser.js';
import { allTips, emitAll, EVENT, readState, recordCommits, squashCandidates, tagData, type MonitorDeps, type SquashCandidate } from './recording.js';

const DAY_MS = 86_400_000;
// Commits recorded per transaction during an import, and how often progress is reported.
const SLICE = 250;
const PROGRESS_EVERY = 500;

export interface BackfillOptions {
  days: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface BackfillResult {
  repo: string;
  /** Commits in the window. */
  seen: number;
  /** Commits not recorded before (each emitted as commit.created). */
  added: number;
  merges: number;
  tags: number;
  cancelled: boolean;
}

/**
 * Import a repository's history of the last `days` days: one `git log --numstat` pass whose output
 * is recorded while git still prints it, in chunks (one transaction each) with INSERT OR IGNORE,
 * emitting `commit.created` (imported: true) only for commits not recorded before — running it
 * twice, or in two processes, adds nothing. Newest first (git's order). Merges in the window and
 * tags created in it are reported too.
 */
export async function backfill(repo: Repository, deps: MonitorDeps, o: BackfillOptions): Promise<BackfillResult> {
  const now = (deps.now ?? Date.now)();
  const client = new GitClient(repo.path, repo.commonDir, o.signal);
  const result: BackfillResult = { repo: repo.path, seen: 0, added: 0, merges: 0, tags: 0, cancelled: false };
  const state = await readState(client, repo, deps.config.defaultBranches, null);
  const sinceMs = now - o.days * DAY_MS;
  const tips = allTips(state);
  const range = { revs: [...tips.keys()], sinceMs, maxCount: deps.config.maxBackfillCommits };
  // The total (for progress) is counted while the log pass runs, not before it.
  let total = 0;
  const counting = tips.size
    ? client.count(range).then(
        (n) => void (total = n),
        () => undefined,
      )
    : Promise.resolve();
  o.onProgress?.(0, 0);
  const attributor = new BranchAttributor(tips, state.defaultBranch);
  const candidates = squashCandidates(client, state).catch(() => [] as SquashCandidate[]);
  // Git prints while we record: the stream handler only parses and queues, and the queue is
  // recorded in small slices with the event loop free in between, so git's output is read as
  // it comes and git never waits on a full pipe.
  const pending: { raw: RawCommit; branch: string | null }[] = [];
  let gitDone = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  // Git's default order (newest first by commit date) streams from the first commit, where
  // --topo-order would first walk the whole history; it puts children before parents unless
  // clocks were skewed, and then the attributor falls back to the tip a commit was reached from.
  const log = client
    .logStream(range, (raw) => {
      if (o.signal?.aborted) return;
      pending.push({ raw, branch: attributor.next(raw) });
      if (pending.length >= SLICE) notify();
    })
    .finally(() => {
      gitDone = true;
      notify();
    });
  log.catch(() => undefined); // awaited below
  let reported = 0;
  const squashTips = await candidates;
  for (;;) {
    if (o.signal?.aborted) break;
    if (pending.length >= SLICE || (gitDone && pending.length)) {
      const batch = pending.splice(0, SLICE);
      const out = deps.store.transaction(() => recordCommits(deps, repo, state, batch, true, now, squashTips));
      emitAll(deps, repo, out.commits);
      emitAll(deps, repo, out.merges);
      result.seen += batch.length;
      result.added += out.commits.length;
      result.merges += out.merges.length;
      if (result.seen - reported >= PROGRESS_EVERY || (gitDone && !pending.length)) {
        reported = result.seen;
        o.onProgress?.(result.seen, Math.max(total, result.seen));
      }
      await new Promise<void>((r) => setImmediate(r));
      continue;
    }
    if (gitDone) break;
    await new Promise<void>((r) => (wake = r));
  }
  try {
    const { skipped } = await log;
    if (skipped) deps.logger.warn({ repo: repo.path, skipped }, `git-monitor: ${skipped} commit record(s) in ${repo.path} could not be parsed and were left out of the import`);
  } catch (e) {
    if (!o.signal?.aborted) throw e;
  } finally {
    await counting;
  }
  if (o.signal?.aborted) {
    result.cancelled = true;
    return result;
  }
  const names = Object.keys(state.tags);
  if (names.length) {
    const tags = (await client.tags(names)).filter((t) => t.dateMs !== null && t.dateMs >= sinceMs);
    const out = deps.store.transaction(() => tags.filter((t) => deps.store.addTag(repo.path, t.name, t.target, now)));
    emitAll(deps, repo, out.map((t) => ({ type: EVENT.tagCreated, data: tagData(repo, t, null, true), ts: t.dateMs ?? now })));
    result.tags = out.length;
  }
  return result;
}

