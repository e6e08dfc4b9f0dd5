// The facts the rules look at, kept up to date from events: project clocks, branches, red streaks,
// recent test outcomes, daily duration series, file churn per day, current stages and reviews.
// Knows SQL, not the kernel.
import type { SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import { T } from './migrations.js';
import type { BranchFacts, FileFacts, RedFacts, ReviewFacts, WipFacts } from './rules.js';

interface BranchRow {
  project: string; repo: string; branch: string;
  created_at: number | null; created_event: string | null; first_commit_at: number | null; first_event: string | null;
  last_commit_at: number | null; last_event: string | null; commits: number; lines: number; start_at: number | null; state: string;
}

const toBranch = (r: BranchRow): BranchFacts => ({
  repo: r.repo, branch: r.branch, createdAt: r.created_at, createdEventId: r.created_event, firstCommitAt: r.first_commit_at,
  firstEventId: r.first_event, lastCommitAt: r.last_commit_at, lastEventId: r.last_event, commits: r.commits, lines: r.lines,
});

/** Subject id of a branch: repository and branch name. */
export const branchId = (repo: string, branch: string): string => `${repo}#${branch}`;
export const splitId = (id: string): [string, string] => {
  const i = id.indexOf('#');
  return i < 0 ? ['', id] : [id.slice(0, i), id.slice(i + 1)];
};

export class FactStore {
  private readonly q: Record<string, SqlStatement>;

  constructor(db: SqlDatabase) {
    const prep = (sql: string) => db.prepare(sql);
    this.q = {
      clock: prep(`SELECT now FROM ${T}clock WHERE project = ?`),
      setClock: prep(`INSERT INTO ${T}clock (project, now) VALUES (?, ?) ON CONFLICT (project) DO UPDATE SET now = max(now, excluded.now)`),
      clockState: prep(`SELECT now, swept_at FROM ${T}clock WHERE project = ?`),
      putClock: prep(`INSERT INTO ${T}clock (project, now, swept_at) VALUES (?, ?, ?) ON CONFLICT (project) DO UPDATE SET now = max(now, excluded.now), swept_at = excluded.swept_at`),
      minStartFrom: prep(`SELECT min(start_at) AS t FROM ${T}branches WHERE project = ? AND state = 'open' AND start_at >= ?`),
      minLastCommitFrom: prep(`SELECT min(last_commit_at) AS t FROM ${T}branches WHERE project = ? AND state = 'open' AND last_commit_at >= ?`),
      minRedFrom: prep(`SELECT min(since) AS t FROM ${T}red WHERE project = ? AND since >= ?`),
      minReviewFrom: prep(`SELECT min(requested_at) AS t FROM ${T}reviews WHERE project = ? AND state = 'waiting' AND requested_at >= ?`),
      projects: prep(`SELECT project, now FROM ${T}clock ORDER BY project`),
      branch: prep(`SELECT * FROM ${T}branches WHERE project = ? AND repo = ? AND branch = ?`),
      putBranch: prep(`INSERT OR REPLACE INTO ${T}branches (project, repo, branch, created_at, created_event, first_commit_at, first_event, last_commit_at, last_event, commits, lines, start_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      setBranchState: prep(`UPDATE ${T}branches SET state = ? WHERE project = ? AND repo = ? AND branch = ?`),
      oldBranches: prep(`SELECT repo, branch FROM ${T}branches WHERE project = ? AND state = 'open' AND start_at < ? AND last_commit_at >= ? LIMIT 200`),
      activeCount: prep(`SELECT count(*) AS n FROM ${T}branches WHERE project = ? AND state = 'open' AND last_commit_at >= ?`),
      activeTop: prep(`SELECT branch, last_commit_at, commits, last_event FROM ${T}branches WHERE project = ? AND state = 'open' AND last_commit_at >= ? ORDER BY last_commit_at DESC, branch LIMIT 5`),
      red: prep(`SELECT * FROM ${T}red WHERE project = ? AND command = ?`),
      putRed: prep(`INSERT OR REPLACE INTO ${T}red (project, command, since, since_event, last_event, fails, failing) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      clearRed: prep(`DELETE FROM ${T}red WHERE project = ? AND command = ?`),
      oldRed: prep(`SELECT command FROM ${T}red WHERE project = ? AND since < ? LIMIT 200`),
      test: prep(`SELECT outcomes, last_event FROM ${T}tests WHERE project = ? AND command = ? AND test = ?`),
      testsOf: prep(`SELECT test, outcomes FROM ${T}tests WHERE project = ? AND command = ? LIMIT 1000`),
      putTest: prep(`INSERT OR REPLACE INTO ${T}tests (project, command, test, outcomes, last_event) VALUES (?, ?, ?, ?, ?)`),
      dropTest: prep(`DELETE FROM ${T}tests WHERE project = ? AND command = ? AND test = ?`),
      addDaily: prep(
        `INSERT INTO ${T}daily (project, series, day, n, sum_ms, max_ms, max_event, last_event) VALUES (?, ?, ?, 1, ?, ?, ?, ?)
         ON CONFLICT (project, series, day) DO UPDATE SET n = n + 1, sum_ms = sum_ms + excluded.sum_ms, last_event = excluded.last_event,
           max_event = CASE WHEN excluded.max_ms > max_ms THEN excluded.max_event ELSE max_event END, max_ms = max(max_ms, excluded.max_ms)`,
      ),
      day: prep(`SELECT n, sum_ms, max_ms, max_event, last_event FROM ${T}daily WHERE project = ? AND series = ? AND day = ?`),
      history: prep(`SELECT sum_ms / n AS mean FROM ${T}daily WHERE project = ? AND series = ? AND day >= ? AND day < ? ORDER BY day`),
      addFile: prep(
        `INSERT INTO ${T}file_days (project, repo, path, day, commits, lines, last_event) VALUES (?, ?, ?, ?, 1, ?, ?)
         ON CONFLICT (project, repo, path, day) DO UPDATE SET commits = commits + 1, lines = lines + excluded.lines, last_event = excluded.last_event`,
      ),
      file: prep(`SELECT coalesce(sum(commits), 0) AS commits, coalesce(sum(lines), 0) AS lines, max(day || ':' || last_event) AS last FROM ${T}file_days WHERE project = ? AND repo = ? AND path = ? AND day > ? AND day <= ?`),
      fileSums: prep(`SELECT coalesce(sum(commits), 0) AS commits, coalesce(sum(lines), 0) AS lines FROM ${T}file_days WHERE project = ? AND repo = ? AND path = ? AND day > ? AND day <= ?`),
      hotFiles: prep(`SELECT repo, path FROM ${T}file_days WHERE project = ? AND day > ? AND day <= ? GROUP BY repo, path HAVING sum(commits) >= ? AND sum(lines) >= ? ORDER BY sum(commits) DESC LIMIT 50`),
      stage: prep(`SELECT stage, since, event_id FROM ${T}stages WHERE project = ?`),
      putStage: prep(`INSERT OR REPLACE INTO ${T}stages (project, stage, since, event_id) VALUES (?, ?, ?, ?)`),
      review: prep(`SELECT * FROM ${T}reviews WHERE project = ? AND provider = ? AND number = ?`),
      putReview: prep(`INSERT OR REPLACE INTO ${T}reviews (project, provider, number, title, branch, requested_at, reviewers, event_id, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      oldReviews: prep(`SELECT provider, number FROM ${T}reviews WHERE project = ? AND state = 'waiting' AND requested_at < ? LIMIT 200`),
    };
  }

  /** Advance a project's clock (it never goes back); returns the clock after. */
  advance(project: string, t: number): number {
    this.q.setClock!.run(project, t);
    return this.clock(project) ?? t;
  }

  /** A project's clock and the clock of its last sweep (null: none, or a sweep is owed). */
  clockState(project: string): { now: number; sweptAt: number | null } | null {
    const r = this.q.clockState!.get(project) as { now: number; swept_at: number | null } | undefined;
    return r ? { now: r.now, sweptAt: r.swept_at } : null;
  }

  putClock(project: string, now: number, sweptAt: number | null): void {
    this.q.putClock!.run(project, now, sweptAt);
  }

  minStartFrom(project: string, from: number): number | null {
    return (this.q.minStartFrom!.get(project, from) as { t: number | null }).t;
  }

  minLastCommitFrom(project: string, from: number): number | null {
    return (this.q.minLastCommitFrom!.get(project, from) as { t: number | null }).t;
  }

  minRedFrom(project: string, from: number): number | null {
    return (this.q.minRedFrom!.get(project, from) as { t: number | null }).t;
  }

  minReviewFrom(project: string, from: number): number | null {
    return (this.q.minReviewFrom!.get(project, from) as { t: number | null }).t;
  }

  clock(project: string): number | null {
    return (this.q.clock!.get(project) as { now: number } | undefined)?.now ?? null;
  }

  projects(): { project: string; now: number }[] {
    return this.q.projects!.all() as { project: string; now: number }[];
  }

  /**
   * During a projection batch (inside its transaction), rows written are also kept here, in the
   * form a read of the table gives, so reading them back costs no query. Cleared after the batch.
   */
  private rows: Map<string, unknown> | null = null;

  batch(on: boolean): void {
    this.rows = on ? new Map() : null;
  }

  private cached<V>(key: string, read: () => V | null): V | null {
    if (!this.rows) return read();
    if (this.rows.has(key)) return this.rows.get(key) as V | null;
    const v = read();
    this.rows.set(key, v);
    return v;
  }

  private keep(key: string, v: unknown): void {
    this.rows?.set(key, v);
  }

  branch(project: string, repo: string, branch: string): (BranchFacts & { state: string }) | null {
    const b = this.cached(`b\0${project}\0${repo}\0${branch}`, () => {
      const r = this.q.branch!.get(project, repo, branch) as BranchRow | undefined;
      return r ? { ...toBranch(r), state: r.state } : null;
    });
    return b && { ...b };
  }

  putBranch(project: string, b: BranchFacts, state: string, start: number | null): void {
    const { repo, branch, createdAt, createdEventId, firstCommitAt, firstEventId, lastCommitAt, lastEventId, commits, lines } = b;
    this.keep(`b\0${project}\0${repo}\0${branch}`, { repo, branch, createdAt, createdEventId, firstCommitAt, firstEventId, lastCommitAt, lastEventId, commits, lines, state });
    this.q.putBranch!.run(project, b.repo, b.branch, b.createdAt, b.createdEventId, b.firstCommitAt, b.firstEventId, b.lastCommitAt, b.lastEventId, b.commits, b.lines, start, state);
  }

  setBranchState(project: string, repo: string, branch: string, state: string): void {
    this.rows?.delete(`b\0${project}\0${repo}\0${branch}`);
    this.q.setBranchState!.run(state, project, repo, branch);
  }

  /** Open branches started before `startedBefore` with a commit since `activeSince`. */
  oldBranches(project: string, startedBefore: number, activeSince: number): string[] {
    return (this.q.oldBranches!.all(project, startedBefore, activeSince) as { repo: string; branch: string }[]).map((r) => branchId(r.repo, r.branch));
  }

  wip(project: string, since: number): WipFacts {
    const active = (this.q.activeCount!.get(project, since) as { n: number }).n;
    const top = this.q.activeTop!.all(project, since) as { branch: string; last_commit_at: number; commits: number; last_event: string | null }[];
    return { active, branches: top.map((r) => ({ branch: r.branch, lastCommitAt: r.last_commit_at, commits: r.commits, lastEventId: r.last_event })) };
  }

  red(project: string, command: string): RedFacts | null {
    const red = this.cached(`r\0${project}\0${command}`, () => {
      const r = this.q.red!.get(project, command) as { since: number; since_event: string; last_event: string; fails: number; failing: string } | undefined;
      return r ? { command, since: r.since, sinceEventId: r.since_event, lastEventId: r.last_event, fails: r.fails, failingTests: r.failing ? r.failing.split('\n') : [] } : null;
    });
    return red && { ...red };
  }

  putRed(project: string, r: RedFacts): void {
    const failing = r.failingTests.join('\n');
    this.keep(`r\0${project}\0${r.command}`, { command: r.command, since: r.since, sinceEventId: r.sinceEventId, lastEventId: r.lastEventId, fails: r.fails, failingTests: failing ? failing.split('\n') : [] });
    this.q.putRed!.run(project, r.command, r.since, r.sinceEventId, r.lastEventId, r.fails, r.failingTests.join('\n'));
  }

  clearRed(project: string, command: string): void {
    this.keep(`r\0${project}\0${command}`, null);
    this.q.clearRed!.run(project, command);
  }

  oldRed(project: string, before: number): string[] {
    return (this.q.oldRed!.all(project, before) as { command: string }[]).map((r) => r.command);
  }

  test(project: string, command: string, test: string): { outcomes: string; lastEventId: string } | null {
    const t = this.cached(`t\0${project}\0${command}\0${test}`, () => {
      const r = this.q.test!.get(project, command, test) as { outcomes: string; last_event: string } | undefined;
      return r ? { outcomes: r.outcomes, lastEventId: r.last_event } : null;
    });
    return t && { ...t };
  }

  testsOf(project: string, command: string): { test: string; outcomes: string }[] {
    return this.q.testsOf!.all(project, command) as { test: string; outcomes: string }[];
  }

  putTest(project: string, command: string, test: string, outcomes: string, eventId: string): void {
    this.keep(`t\0${project}\0${command}\0${test}`, { outcomes, lastEventId: eventId });
    this.q.putTest!.run(project, command, test, outcomes, eventId);
  }

  dropTest(project: string, command: string, test: string): void {
    this.keep(`t\0${project}\0${command}\0${test}`, null);
    this.q.dropTest!.run(project, command, test);
  }

  addDaily(project: string, series: string, day: number, ms: number, eventId: string): void {
    this.q.addDaily!.run(project, series, day, ms, ms, eventId, eventId);
  }

  day(project: string, series: string, day: number): { n: number; meanMs: number; maxMs: number; maxEventId: string | null; lastEventId: string | null } | null {
    const r = this.q.day!.get(project, series, day) as { n: number; sum_ms: number; max_ms: number; max_event: string | null; last_event: string | null } | undefined;
    return r && r.n > 0 ? { n: r.n, meanMs: r.sum_ms / r.n, maxMs: r.max_ms, maxEventId: r.max_event, lastEventId: r.last_event } : null;
  }

  history(project: string, series: string, fromDay: number, toDay: number): number[] {
    return (this.q.history!.all(project, series, fromDay, toDay) as { mean: number }[]).map((r) => r.mean);
  }

  addFile(project: string, repo: string, path: string, day: number, lines: number, eventId: string): void {
    this.q.addFile!.run(project, repo, path, day, lines, eventId);
  }

  /** `addFile` for the files of one commit (`[path, lines]` each, in order). */
  addFiles(project: string, repo: string, day: number, files: readonly [string, number][], eventId: string): void {
    for (const [path, lines] of files) this.q.addFile!.run(project, repo, path, day, lines, eventId);
  }

  /** Commits and lines of a file in days (fromDay, toDay]. */
  file(project: string, repo: string, path: string, fromDay: number, toDay: number): FileFacts {
    const r = this.q.file!.get(project, repo, path, fromDay, toDay) as { commits: number; lines: number; last: string | null };
    return { repo, path, commits: r.commits, lines: r.lines, lastEventId: r.last ? r.last.slice(r.last.indexOf(':') + 1) : null };
  }

  /** Commits and lines of a file in days (fromDay, toDay], without the last event (cheaper). */
  fileSums(project: string, repo: string, path: string, fromDay: number, toDay: number): { commits: number; lines: number } {
    return this.q.fileSums!.get(project, repo, path, fromDay, toDay) as { commits: number; lines: number };
  }

  /** Open branches with a commit since `since`. */
  activeCount(project: string, since: number): number {
    return (this.q.activeCount!.get(project, since) as { n: number }).n;
  }

  hotFiles(project: string, fromDay: number, toDay: number, minCommits: number, minLines: number): string[] {
    return (this.q.hotFiles!.all(project, fromDay, toDay, minCommits, minLines) as { repo: string; path: string }[]).map((r) => branchId(r.repo, r.path));
  }

  stage(project: string): { stage: string; since: number; eventId: string } | null {
    const r = this.q.stage!.get(project) as { stage: string; since: number; event_id: string } | undefined;
    return r ? { stage: r.stage, since: r.since, eventId: r.event_id } : null;
  }

  putStage(project: string, stage: string, since: number, eventId: string): void {
    this.q.putStage!.run(project, stage, since, eventId);
  }

  review(project: string, provider: string, number: string): (ReviewFacts & { state: string; requestedAt: number | null }) | null {
    const r = this.q.review!.get(project, provider, number) as { title: string | null; branch: string | null; requested_at: number | null; reviewers: string; event_id: string; state: string } | undefined;
    return r ? { provider, number, title: r.title, branch: r.branch, requestedAt: r.requested_at as number, reviewers: r.reviewers ? r.reviewers.split('\n') : [], eventId: r.event_id, state: r.state } : null;
  }

  putReview(project: string, r: Omit<ReviewFacts, 'requestedAt'> & { requestedAt: number | null; state: string }): void {
    this.q.putReview!.run(project, r.provider, r.number, r.title, r.branch, r.requestedAt, r.reviewers.join('\n'), r.eventId, r.state);
  }

  oldReviews(project: string, before: number): string[] {
    return (this.q.oldReviews!.all(project, before) as { provider: string; number: string }[]).map((r) => `${r.provider}#${r.number}`);
  }
}
