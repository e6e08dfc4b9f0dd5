// Folding events into facts (the projection's apply): each relevant event updates the facts, then
// the rules about what it touched are evaluated at the project's clock, then the project's
// time-based rules are swept. Never throws on odd payloads: a field that is missing or of the wrong
// type is skipped.
import type { StoredEvent } from '@devflow/plugin-sdk';
import { TEST_SEP, type Engine } from './engine.js';
import { Due, nextDay } from './due.js';
import { branchId } from './facts.js';
import { WriterSink, type Emit } from './findings.js';
import { command, dayOf, num, obj, str, strings, time } from './parse.js';
import { RULE_IDS, type RuleId } from './rule-config.js';
import type { BranchFacts } from './rules.js';

/** The event types the projection folds. */
export const FOLDED_TYPES = [
  'git-monitor.commit.created',
  'git-monitor.branch.created',
  'git-monitor.branch.deleted',
  'git-monitor.merge.detected',
  'test-monitor.run.finished',
  'stage-analyzer.stage.changed',
  'github.pull-request.*',
  'gitlab.merge-request.*',
  'github.pr.*',
  'gitlab.mr.*',
  'bottleneck-detector.bottleneck.opened',
  'bottleneck-detector.bottleneck.resolved',
] as const;

type Touched = [RuleId, string][];
/** A project during a batch: its clock, the clock of its last sweep (null: owed) and when the next is due (null: not computed yet). */
type ProjectState = { now: number; sweptAt: number | null; due: number | null };
type Review = { provider: string; number: string; title: string | null; branch: string | null; requestedAt: number | null; reviewers: string[]; eventId: string; state: string };
const MAX_FILES = 100;

export class Folder {
  /** Events skipped because handling them failed (bad data the readers did not catch). */
  skipped = 0;
  private readonly due: Due;
  private readonly batch = new Map<string, ProjectState>();
  /** The clock of the event being folded, and the earliest threshold of the facts it changed. */
  private now = 0;
  private pending = Infinity;
  /** The files of the commit being folded (hot-file subjects, evaluated together after the others). */
  private files: { repo: string; paths: string[] } | null = null;

  constructor(private readonly engine: Engine) {
    this.due = new Due(engine);
  }

  /** Start a batch: per-project clocks are read once and kept here until `end`. */
  begin(): void {
    this.batch.clear();
    this.engine.findings.batch(true);
    this.engine.facts.batch(true);
  }

  /** End a batch: write each project's clock and last sweep back, once. */
  end(): void {
    try {
      for (const [project, st] of this.batch) this.engine.facts.putClock(project, st.now, st.sweptAt);
    } finally {
      this.batch.clear();
      this.engine.findings.batch(false);
      this.engine.facts.batch(false);
    }
  }

  /** Fold one event (between `begin` and `end`); `emit` announces openings and resolutions (null: never, e.g. while rebuilding). */
  fold(e: StoredEvent, emit: Emit | null): void {
    const d = obj(e.data);
    const project = str(e.project, 4096) ?? str(d.project, 4096);
    if (!project || !Number.isFinite(e.ts)) return;
    const st = this.advance(project, this.engine.eventTime(e));
    const now = (this.now = st.now);
    if (e.type.startsWith('bottleneck-detector.')) return this.clockEvent(e, d, project, now);
    const swept = st.sweptAt;
    st.sweptAt = null; // a sweep is owed until this event is done (an exception leaves it owed)
    this.pending = Infinity;
    this.files = null;
    const touched = this.update(e, d, project);
    if (d.imported === true) return; // history being imported: facts only, no findings from the past
    const sink = new WriterSink(this.engine.findings, emit, 'event');
    for (const [rule, subject] of touched) this.engine.evaluate(rule, project, subject, now, sink);
    const files = this.files as { repo: string; paths: string[] } | null; // set by update()
    if (files) this.engine.evaluateFiles(project, files.repo, files.paths, now, sink);
    const due = swept === null ? -Infinity : st.due ?? this.due.from(project, swept);
    if (due <= now) {
      this.engine.sweep(project, now, sink);
      st.due = this.due.from(project, now);
    } else st.due = Math.min(due, this.pending);
    st.sweptAt = due <= now ? now : swept;
  }

  /** The project's state in this batch, its clock moved to `at` (it never goes back). */
  private advance(project: string, at: number): ProjectState {
    let st = this.batch.get(project);
    if (!st) {
      const row = this.engine.facts.clockState(project);
      st = { now: row ? Math.max(row.now, at) : at, sweptAt: row?.sweptAt ?? null, due: null };
      this.batch.set(project, st);
    } else if (at > st.now) st.now = at;
    return st;
  }

  /** Note a threshold of facts this event changed (the earliest is kept). */
  private note(t: number): void {
    if (t < this.pending) this.pending = t;
  }

  /** A finding the wall-clock check announced: apply the same verdict here, silently (the event says it). */
  private clockEvent(e: StoredEvent, d: Record<string, unknown>, project: string, now: number): void {
    if (d.trigger !== 'clock') return; // our own event-time findings: outputs, not inputs
    const rule = str(d.rule, 100) as RuleId | null;
    const key = str(d.key, 10_000);
    const prefix = `${rule}:${project}:`;
    if (!rule || !RULE_IDS.includes(rule) || !key || !key.startsWith(prefix)) return;
    this.engine.evaluate(rule, project, key.slice(prefix.length), now, new WriterSink(this.engine.findings, null, 'clock', key));
  }

  private update(e: StoredEvent, d: Record<string, unknown>, project: string): Touched {
    switch (e.type) {
      case 'git-monitor.commit.created':
        return this.commit(e, d, project);
      case 'git-monitor.branch.created':
        return this.branchCreated(e, d, project);
      case 'git-monitor.branch.deleted':
      case 'git-monitor.merge.detected': {
        const repo = str(d.repo, 4096) ?? '';
        const branch = str(e.type === 'git-monitor.branch.deleted' ? d.branch : d.mergedBranch, 500);
        if (!branch || this.engine.isDefaultBranch(branch)) return [];
        this.engine.facts.setBranchState(project, repo, branch, e.type === 'git-monitor.branch.deleted' ? 'deleted' : 'merged');
        return [['long-lived-branch', branchId(repo, branch)], ['wip-spread', 'branches']];
      }
      case 'test-monitor.run.finished':
        return this.run(e, d, project);
      case 'stage-analyzer.stage.changed':
        return this.stage(e, d, project);
      default:
        return this.review(e, d, project);
    }
  }

  private openBranch(project: string, repo: string, branch: string): BranchFacts {
    const b = this.engine.facts.branch(project, repo, branch);
    if (b && b.state === 'open') return b;
    return { repo, branch, createdAt: null, createdEventId: null, firstCommitAt: null, firstEventId: null, lastCommitAt: null, lastEventId: null, commits: 0, lines: 0 };
  }

  private putBranch(project: string, b: BranchFacts): void {
    const start = b.createdAt === null ? b.firstCommitAt : b.firstCommitAt === null ? b.createdAt : Math.min(b.createdAt, b.firstCommitAt);
    this.engine.facts.putBranch(project, b, 'open', start);
    this.note(this.due.branch(project, start, b.lastCommitAt, this.now));
  }

  private commit(e: StoredEvent, d: Record<string, unknown>, project: string): Touched {
    const touched: Touched = [];
    const repo = str(d.repo, 4096) ?? '';
    const branch = str(d.branch, 500);
    const stats = obj(d.stats);
    const files = Array.isArray(d.files) ? d.files.slice(0, MAX_FILES) : [];
    if (branch && !this.engine.isDefaultBranch(branch)) {
      const b = this.openBranch(project, repo, branch);
      const lines = Math.max(0, (num(stats.added) ?? 0) + (num(stats.removed) ?? 0));
      if (b.firstCommitAt === null || e.ts < b.firstCommitAt) (b.firstCommitAt = e.ts), (b.firstEventId = e.id);
      if (b.lastCommitAt === null || e.ts >= b.lastCommitAt) (b.lastCommitAt = e.ts), (b.lastEventId = e.id);
      b.commits += 1;
      b.lines += lines;
      this.putBranch(project, b);
      touched.push(['long-lived-branch', branchId(repo, branch)], ['wip-spread', 'branches']);
    }
    if (d.merge === true) return touched; // a merge's file list repeats the merged work
    const day = dayOf(e.ts);
    const paths = new Set<string>();
    const rows: [string, number][] = [];
    for (const f of files) {
      const file = obj(f);
      const path = str(file.path, 1000);
      if (!path) continue;
      rows.push([path, Math.max(0, (num(file.added) ?? 0) + (num(file.removed) ?? 0))]);
      paths.add(path);
    }
    this.engine.facts.addFiles(project, repo, day, rows, e.id);
    if (paths.size) this.note(nextDay(this.now) - 1);
    if (paths.size) this.files = { repo, paths: [...paths] };
    return touched;
  }

  private branchCreated(e: StoredEvent, d: Record<string, unknown>, project: string): Touched {
    const repo = str(d.repo, 4096) ?? '';
    const branch = str(d.branch, 500);
    if (!branch || this.engine.isDefaultBranch(branch)) return [];
    const b = this.openBranch(project, repo, branch);
    if (b.createdAt === null || e.ts < b.createdAt) (b.createdAt = e.ts), (b.createdEventId = e.id);
    this.putBranch(project, b);
    return [['long-lived-branch', branchId(repo, branch)]];
  }

  private run(e: StoredEvent, d: Record<string, unknown>, project: string): Touched {
    const touched: Touched = [];
    const kind = str(d.kind, 20);
    const cmd = command(d.command) ?? kind ?? 'run';
    const ms = num(d.durationMs);
    if ((kind === 'build' || kind === 'test') && ms !== null && ms >= 0) {
      this.engine.facts.addDaily(project, `${kind}:${cmd}`, dayOf(e.ts), ms, e.id);
      this.note(nextDay(this.now) - 1);
      touched.push([kind === 'build' ? 'slow-build' : 'slow-tests', cmd]);
    }
    if (kind !== 'test') return touched;
    const exit = num(d.exitCode);
    const ok = typeof d.ok === 'boolean' ? d.ok : exit !== null ? exit === 0 : null;
    if (ok === null) return touched;
    const failing = strings(d.failingTests, 100);
    const facts = this.engine.facts;
    const red = facts.red(project, cmd);
    if (!ok) {
      this.note(this.due.red(project, red && red.since <= e.ts ? red.since : e.ts, this.now));
      if (!red) facts.putRed(project, { command: cmd, since: e.ts, sinceEventId: e.id, lastEventId: e.id, fails: 1, failingTests: failing.slice(0, 5) });
      else {
        const earlier = e.ts < red.since;
        facts.putRed(project, { ...red, since: earlier ? e.ts : red.since, sinceEventId: earlier ? e.id : red.sinceEventId, lastEventId: e.id, fails: red.fails + 1, failingTests: failing.length ? failing.slice(0, 5) : red.failingTests });
      }
    } else if (red && e.ts >= red.since) facts.clearRed(project, cmd);
    touched.push(['red-tests', cmd]);
    const flaky = this.engine.settings(project, 'flaky-test');
    if (!flaky) return touched;
    const keep = flaky.params.lastRuns as number;
    const knowsPasses = ok || (failing.length > 0 && d.failingTestsTruncated !== true);
    const failed = new Set(failing);
    const record = (test: string, before: string, outcome: 'P' | 'F') => {
      const outcomes = (before + outcome).slice(-keep);
      if (!outcomes.includes('F') && outcomes.length >= keep) facts.dropTest(project, cmd, test);
      else facts.putTest(project, cmd, test, outcomes, e.id);
      touched.push(['flaky-test', `${cmd}${TEST_SEP}${test}`]);
    };
    if (knowsPasses) for (const t of facts.testsOf(project, cmd)) if (!failed.has(t.test)) record(t.test, t.outcomes, 'P');
    for (const test of failed) record(test, facts.test(project, cmd, test)?.outcomes ?? '', 'F');
    return touched;
  }

  private stage(e: StoredEvent, d: Record<string, unknown>, project: string): Touched {
    const to = str(d.to, 100);
    if (!to) return [];
    const since = time(d.at) ?? e.ts;
    const cur = this.engine.facts.stage(project);
    if (cur && (since < cur.since || cur.stage === to)) return []; // older news, or no change
    this.engine.facts.putStage(project, to, since, e.id);
    this.note(this.due.stage(project, to, since, this.now));
    return cur ? [['long-stage', cur.stage], ['long-stage', to]] : [['long-stage', to]];
  }

  /** PR / MR events: `<provider>.pull-request.<verb>` (also merge-request, pr, mr). */
  private review(e: StoredEvent, d: Record<string, unknown>, project: string): Touched {
    const provider = e.type.slice(0, e.type.indexOf('.'));
    const verb = e.type.slice(e.type.lastIndexOf('.') + 1);
    const number = str(d.number ?? d.iid, 50);
    if (!number) return [];
    const facts = this.engine.facts;
    const cur = facts.review(project, provider, number);
    const base: Review = cur ?? { provider, number, title: null, branch: null, requestedAt: null, reviewers: [], eventId: e.id, state: 'open' };
    const title = str(d.title, 300) ?? base.title;
    const branch = str(d.branch, 500) ?? base.branch;
    const reviewers = strings(d.requestedReviewers ?? d.reviewers, 20);
    const at = time(d.at) ?? time(d.createdAt) ?? e.ts;
    let next: Review | null = null;
    if (verb === 'opened' || verb === 'reopened') {
      next = { ...base, title, branch, reviewers, requestedAt: reviewers.length ? at : null, eventId: e.id, state: reviewers.length ? 'waiting' : 'open' };
    } else if (verb === 'review-requested' || verb === 'review_requested') {
      next = { ...base, title, branch, reviewers: reviewers.length ? reviewers : base.reviewers, requestedAt: at, eventId: e.id, state: 'waiting' };
    } else if (verb === 'reviewed' || verb === 'approved') next = { ...base, title, branch, state: 'reviewed' };
    else if (verb === 'closed' || verb === 'merged') next = { ...base, title, branch, state: 'closed' };
    if (!next) return [];
    facts.putReview(project, next);
    if (next.state === 'waiting') this.note(this.due.review(project, next.requestedAt, this.now));
    return [['review-wait', `${provider}#${number}`]];
  }
}
