// The detection model: decayed scores per stage and sub-stage over a window of event time, the
// leader, and the hysteresis that turns a lead into a transition. Pure functions over plain values.
import { SUB_STAGES, stageRank } from './stages.js';

export interface Tuning {
  /** Signals older than this (event time, relative to the project's clock) no longer count. */
  windowMs: number;
  /** A signal's weight halves every halfLifeMs. */
  halfLifeMs: number;
  /** A new leader must lead this long before the stage changes. */
  minDwellMs: number;
  /** Smallest decayed score a stage needs to be entered. */
  minScore: number;
  /** Smallest share of all scores (0..1) a stage needs to be entered. */
  minConfidence: number;
  /** A sub-stage is named when its score is at least this share of its stage's score. */
  subStageShare: number;
}

/** One score bucket: a stage (and sub-stage, '' for none) of one project. */
export interface ScoreRow {
  stage: string;
  subStage: string;
  /** Decayed score as of `at`. */
  score: number;
  at: number;
  /** Time of the latest signal in the bucket. */
  lastAt: number;
}

/** The row's score seen from `clock`. */
export function decayed(row: ScoreRow, clock: number, t: Tuning): number {
  if (clock - row.lastAt > t.windowMs) return 0;
  if (clock <= row.at) return row.score; // what the formula gives (2 ** -0 = 1), without a pow
  return row.score * 2 ** (-Math.max(0, clock - row.at) / t.halfLifeMs);
}

/** The row after a signal of `weight` dated `ts`, seen from `clock` (≥ ts). */
export function addSignal(row: ScoreRow | undefined, stage: string, subStage: string, clock: number, ts: number, weight: number, t: Tuning): ScoreRow {
  const base = row ? decayed(row, clock, t) : 0;
  return { stage, subStage, score: base + weight * 2 ** (-Math.max(0, clock - ts) / t.halfLifeMs), at: clock, lastAt: Math.max(row?.lastAt ?? ts, ts) };
}

export interface Lead {
  /** Decayed score per stage (sub-stages summed), only stages above 0. */
  totals: Map<string, number>;
  total: number;
  leader: string | null;
  leaderScore: number;
  subLeader: string | null;
}

const subRank = (s: string) => (SUB_STAGES as readonly string[]).indexOf(s);

/** Who leads at `clock`. Ties go to the earlier stage (and sub-stage) in the canonical order. */
export function lead(rows: readonly ScoreRow[], clock: number, t: Tuning): Lead {
  const totals = new Map<string, number>();
  const scores: number[] = [];
  for (const r of rows) {
    const s = decayed(r, clock, t);
    scores.push(s);
    if (s > 0) totals.set(r.stage, (totals.get(r.stage) ?? 0) + s);
  }
  let leader: string | null = null;
  let leaderScore = 0;
  let total = 0;
  for (const [stage, s] of totals) {
    total += s;
    if (s > leaderScore || (s === leaderScore && leader !== null && stageRank(stage) < stageRank(leader))) [leader, leaderScore] = [stage, s];
  }
  let subLeader: string | null = null;
  let subScore = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as ScoreRow;
    if (r.stage !== leader || !r.subStage) continue;
    const s = scores[i] as number;
    if (s > subScore || (s === subScore && subLeader !== null && subRank(r.subStage) < subRank(subLeader))) [subLeader, subScore] = [r.subStage, s];
  }
  if (subLeader !== null && subScore < t.subStageShare * leaderScore) subLeader = null;
  return { totals, total, leader, leaderScore, subLeader };
}

/** The stage state of one project (the `state` table row, minus bookkeeping). */
export interface StageState {
  stage: string | null;
  subStage: string | null;
  since: number | null;
  leader: string | null;
  leaderSince: number | null;
  subLeader: string | null;
  subLeaderSince: number | null;
}

export interface Transition {
  from: string | null;
  fromSubStage: string | null;
  to: string;
  subStage: string | null;
  at: number;
  confidence: number;
}

/**
 * Hysteresis: the leader (or, within the current stage, a sub-stage leader) takes over once it has
 * led for `minDwellMs` with enough score and share; the change is dated when it started leading.
 * The first stage of a project needs no dwell.
 */
export function decide(prev: StageState, l: Lead, clock: number, t: Tuning): { state: StageState; transition: Transition | null } {
  const s: StageState = { ...prev };
  if (l.leader !== s.leader) [s.leader, s.leaderSince, s.subLeader, s.subLeaderSince] = [l.leader, clock, l.subLeader, clock];
  else if (l.subLeader !== s.subLeader) [s.subLeader, s.subLeaderSince] = [l.subLeader, clock];
  if (l.leader === null || l.total <= 0) return { state: s, transition: null };
  const confidence = l.leaderScore / l.total;
  const qualifies = l.leaderScore >= t.minScore && confidence >= t.minConfidence;
  const go = (to: string, subStage: string | null, at: number) => {
    const transition: Transition = { from: prev.stage, fromSubStage: prev.subStage, to, subStage, at, confidence };
    return { state: { ...s, stage: to, subStage, since: at }, transition };
  };
  if (s.stage === null) return qualifies ? go(l.leader, l.subLeader, s.leaderSince ?? clock) : { state: s, transition: null };
  if (l.leader !== s.stage) {
    if (qualifies && clock - (s.leaderSince ?? clock) >= t.minDwellMs) return go(l.leader, l.subLeader, Math.max(s.leaderSince ?? clock, s.since ?? 0));
    return { state: s, transition: null };
  }
  if (l.subLeader !== null && l.subLeader !== s.subStage && qualifies && clock - (s.subLeaderSince ?? clock) >= t.minDwellMs) {
    return go(s.stage, l.subLeader, Math.max(s.subLeaderSince ?? clock, s.since ?? 0));
  }
  return { state: s, transition: null };
}
