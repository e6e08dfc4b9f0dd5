// The rule engine: for a rule and a subject, load the facts and ask the rule (rules.ts) at a given
// time; sweep a project's time-based rules; and the dry run the wall-clock check makes.
import type { SqlDatabase } from '@devflow/plugin-sdk';
import { FactStore, branchId, splitId } from './facts.js';
import { CollectSink, FindingStore, findingKey, type PendingChange, type Sink } from './findings.js';
import { DAY_MS, HOUR_MS, dayOf, uuidv7Time } from './parse.js';
import { RULE_IDS, settingsFor, type ResolvedRules, type RuleId, type RuleSettings } from './rule-config.js';
import * as R from './rules.js';

export interface EngineOptions {
  rules: ResolvedRules;
  /** Branch names never reported (the trunk). The first is named in suggestions. */
  defaultBranches: readonly string[];
  /** How far an event's `ts` may be ahead of the moment it was recorded before it is capped. */
  maxClockSkewMs: number;
}

/** Separator between a command and a test name in a flaky-test subject id. */
export const TEST_SEP = ' :: ';

export class Engine {
  readonly facts: FactStore;
  readonly findings: FindingStore;

  constructor(
    db: SqlDatabase,
    readonly options: EngineOptions,
  ) {
    this.facts = new FactStore(db);
    this.findings = new FindingStore(db);
  }

  settings(project: string, rule: RuleId): RuleSettings | null {
    return settingsFor(this.options.rules, project, rule);
  }

  isDefaultBranch(branch: string): boolean {
    return this.options.defaultBranches.includes(branch);
  }

  /**
   * The time an event moves its project's clock to: its `ts`, but never more than `maxClockSkewMs`
   * past the moment it was recorded (from its UUIDv7 id), so an event from a wrong clock in the
   * future cannot age every branch at once. Deterministic: both come from the log.
   */
  eventTime(e: { id: string; ts: number }): number {
    const recorded = uuidv7Time(e.id);
    return recorded === null ? e.ts : Math.min(e.ts, recorded + this.options.maxClockSkewMs);
  }

  /** What `rule` says about `subjectId` in `project` at `now` (null: nothing to report). */
  verdict(rule: RuleId, project: string, subjectId: string, now: number): R.Verdict | null {
    const s = this.settings(project, rule);
    if (!s) return null;
    const f = this.facts;
    switch (rule) {
      case 'long-lived-branch': {
        const [repo, branch] = splitId(subjectId);
        const b = f.branch(project, repo, branch);
        return b && b.state === 'open' && !this.isDefaultBranch(branch) ? R.longLivedBranch(b, now, s, this.options.defaultBranches[0] ?? 'main') : null;
      }
      case 'red-tests': {
        const r = f.red(project, subjectId);
        return r ? R.redTests(r, now, s) : null;
      }
      case 'flaky-test': {
        const i = subjectId.indexOf(TEST_SEP);
        const command = subjectId.slice(0, i);
        const test = subjectId.slice(i + TEST_SEP.length);
        const t = i < 0 ? null : f.test(project, command, test);
        return t ? R.flakyTest({ command, test, ...t }, s) : null;
      }
      case 'slow-build':
      case 'slow-tests': {
        const kind = rule === 'slow-build' ? 'build' : 'test';
        const series = `${kind}:${subjectId}`;
        const today = dayOf(now);
        return R.slowSeries({ kind, command: subjectId, today: f.day(project, series, today), history: f.history(project, series, today - (s.params.historyDays as number), today) }, s);
      }
      case 'hot-file': {
        const [repo, path] = splitId(subjectId);
        const today = dayOf(now);
        return R.hotFile(f.file(project, repo, path, today - (s.params.windowDays as number), today), s);
      }
      case 'long-stage': {
        const st = f.stage(project);
        return st && st.stage === subjectId ? R.longStage(st, now, s) : null;
      }
      case 'wip-spread':
        return R.wipSpread(f.wip(project, now - (s.params.activeDays as number) * DAY_MS), s);
      case 'review-wait': {
        const [provider, number] = splitId(subjectId);
        const r = f.review(project, provider, number);
        return r && r.state === 'waiting' && r.requestedAt !== null ? R.reviewWait(r, now, s) : null;
      }
    }
  }

  /**
   * Whether `rule` holds, from a cheaper query than the verdict's (null: ask the verdict). Only
   * for rules evaluated on most events: hot files (every file of a commit) and WIP spread.
   */
  private holds(rule: RuleId, project: string, subjectId: string, now: number): boolean | null {
    if (rule !== 'hot-file' && rule !== 'wip-spread') return null;
    const s = this.settings(project, rule);
    if (!s) return false;
    const p = (k: string) => s.params[k] as number;
    if (rule === 'wip-spread') return this.facts.activeCount(project, now - p('activeDays') * DAY_MS) > p('maxBranches');
    const [repo, path] = splitId(subjectId);
    const today = dayOf(now);
    const f = this.facts.fileSums(project, repo, path, today - p('windowDays'), today);
    return f.commits >= p('minCommits') && f.lines >= p('minLines');
  }

  /** `evaluate` of the hot-file rule for the files of a commit (one repository), in order. */
  evaluateFiles(project: string, repo: string, paths: readonly string[], now: number, sink: Sink): void {
    for (const path of paths) this.evaluate('hot-file', project, branchId(repo, path), now, sink);
  }

  evaluate(rule: RuleId, project: string, subjectId: string, now: number, sink: Sink): void {
    const holds = this.holds(rule, project, subjectId, now);
    // An open finding that still holds, or a closed one that does not: nothing to change.
    if (holds !== null && holds === this.findings.isOpen(findingKey(rule, project, subjectId))) return;
    sink.set(rule, project, subjectId, holds === false ? null : this.verdict(rule, project, subjectId, now), now);
  }

  /**
   * Re-evaluate a project at `now`: every open finding (so findings whose condition went away with
   * time resolve) and the candidates of the time-based rules (so a branch that grew old with no new
   * event opens). `full` adds the costlier hot-file search (wall-clock check only).
   */
  sweep(project: string, now: number, sink: Sink, full = false): void {
    const open = this.findings.openSubjects(project);
    for (const rule of RULE_IDS) {
      const subjects = new Set(open.get(rule) ?? []);
      const s = this.settings(project, rule);
      if (s) for (const c of this.candidates(rule, project, now, s, full)) subjects.add(c);
      for (const subject of subjects) this.evaluate(rule, project, subject, now, sink);
    }
  }

  private candidates(rule: RuleId, project: string, now: number, s: RuleSettings, full: boolean): string[] {
    const p = (k: string) => s.params[k] as number;
    switch (rule) {
      case 'long-lived-branch':
        return this.facts.oldBranches(project, now - p('branchMaxDays') * DAY_MS, now - p('abandonedDays') * DAY_MS);
      case 'red-tests':
        return this.facts.oldRed(project, now - p('redMaxMinutes') * 60_000);
      case 'long-stage': {
        const st = this.facts.stage(project);
        return st ? [st.stage] : [];
      }
      case 'wip-spread':
        return ['branches'];
      case 'review-wait':
        return this.facts.oldReviews(project, now - p('maxHours') * HOUR_MS);
      case 'hot-file':
        return full ? this.facts.hotFiles(project, dayOf(now) - p('windowDays'), dayOf(now), p('minCommits'), p('minLines')) : [];
      default:
        return [];
    }
  }

  /**
   * The wall-clock check (a dry run): what would open or resolve if every project's clock moved to
   * `wallNow` (or stays, when events already moved it further). Writes nothing: the caller emits
   * each change as an event, which the projection folds like any other.
   */
  clockCheck(wallNow: number): PendingChange[] {
    const sink = new CollectSink(this.findings);
    for (const { project, now } of this.facts.projects()) this.sweep(project, Math.max(wallNow, now), sink, true);
    return sink.changes;
  }
}
