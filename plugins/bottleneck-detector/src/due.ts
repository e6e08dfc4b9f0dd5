// When a project's time-based rules must be swept again. A sweep at the project's clock `t`
// re-evaluates every open finding and every candidate of the time-based rules; with the facts
// unchanged, its answer can only differ from the previous sweep's (at `t0`) when one of the
// thresholds below lies in [t0, t]: a branch reaching its age limit or its abandoned limit, a
// branch's last commit leaving the WIP window, a red streak, a stage or a review reaching its
// limit, or a new UTC day for the day-based rules (slow series, hot files) while one of their
// findings is open. Facts changed by an event are evaluated at that event (the subjects it
// touched), so skipping a sweep whose window holds no threshold leaves every answer the same.
// Thresholds are conservative (1 ms early): an extra sweep costs time, a missed one an answer.
import type { Engine } from './engine.js';
import { DAY_MS, HOUR_MS, dayOf } from './parse.js';
import type { RuleId } from './rule-config.js';

const EARLY = 1;

export class Due {
  constructor(private readonly engine: Engine) {}

  private limit(project: string, rule: RuleId, param: string, unit: number): number | null {
    const s = this.engine.settings(project, rule);
    return s ? (s.params[param] as number) * unit : null;
  }

  /** The earliest threshold at or after `t0` in `project`'s facts (Infinity: none). */
  from(project: string, t0: number): number {
    const f = this.engine.facts;
    let due = Infinity;
    const take = (base: number | null, limit: number | null) => {
      if (base !== null && limit !== null && base + limit - EARLY < due) due = base + limit - EARLY;
    };
    const branchMax = this.limit(project, 'long-lived-branch', 'branchMaxDays', DAY_MS);
    const abandoned = this.limit(project, 'long-lived-branch', 'abandonedDays', DAY_MS);
    if (branchMax !== null && abandoned !== null) {
      take(f.minStartFrom(project, t0 - branchMax), branchMax);
      take(f.minStartFrom(project, t0 - abandoned), abandoned);
      take(f.minLastCommitFrom(project, t0 - abandoned), abandoned);
    }
    const active = this.limit(project, 'wip-spread', 'activeDays', DAY_MS);
    if (active !== null) take(f.minLastCommitFrom(project, t0 - active), active);
    const red = this.limit(project, 'red-tests', 'redMaxMinutes', 60_000);
    if (red !== null) take(f.minRedFrom(project, t0 - red), red);
    const wait = this.limit(project, 'review-wait', 'maxHours', HOUR_MS);
    if (wait !== null) take(f.minReviewFrom(project, t0 - wait), wait);
    const st = f.stage(project);
    if (st) {
      const stage = this.stageLimit(project, st.stage);
      if (stage !== null && st.since + stage >= t0) take(st.since, stage);
    }
    if (this.engine.findings.hasDayBased(project)) take(nextDay(t0), 0);
    return due;
  }

  stageLimit(project: string, stage: string): number | null {
    const s = this.engine.settings(project, 'long-stage');
    return s ? (s.stages[stage] ?? (s.params.maxDays as number)) * DAY_MS : null;
  }

  /** Thresholds of a branch's new facts (evaluated at `now`): the earliest at or after `now`. */
  branch(project: string, start: number | null, lastCommitAt: number | null, now: number): number {
    const branchMax = this.limit(project, 'long-lived-branch', 'branchMaxDays', DAY_MS);
    const abandoned = this.limit(project, 'long-lived-branch', 'abandonedDays', DAY_MS);
    const active = this.limit(project, 'wip-spread', 'activeDays', DAY_MS);
    return after(now, [
      start !== null && branchMax !== null ? start + branchMax : null,
      abandoned !== null ? (lastCommitAt ?? start) === null ? null : (lastCommitAt ?? (start as number)) + abandoned : null,
      start !== null && abandoned !== null ? start + abandoned : null,
      lastCommitAt !== null && active !== null ? lastCommitAt + active : null,
    ]);
  }

  red(project: string, since: number, now: number): number {
    const red = this.limit(project, 'red-tests', 'redMaxMinutes', 60_000);
    return after(now, [red === null ? null : since + red]);
  }

  review(project: string, requestedAt: number | null, now: number): number {
    const wait = this.limit(project, 'review-wait', 'maxHours', HOUR_MS);
    return after(now, [wait === null || requestedAt === null ? null : requestedAt + wait]);
  }

  stage(project: string, stage: string, since: number, now: number): number {
    const limit = this.stageLimit(project, stage);
    return after(now, [limit === null ? null : since + limit]);
  }
}

/** The start of the UTC day after `t`. */
export const nextDay = (t: number): number => (dayOf(t) + 1) * DAY_MS;

/** The earliest of `ts` (made 1 ms early) that is at or after `now`; Infinity when none. */
function after(now: number, ts: (number | null)[]): number {
  let due = Infinity;
  for (const t of ts) if (t !== null && t >= now && t - EARLY < due) due = t - EARLY;
  return due;
}
