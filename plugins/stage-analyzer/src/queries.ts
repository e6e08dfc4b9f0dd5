// The read side: answers from the stage tables only (small, indexed), never from the event log.
import { round, topEvidence } from './fold.js';
import { lead, type Tuning } from './scoring.js';
import { stageRank, type Evidence } from './stages.js';
import type { StageStore, TransitionRow } from './store.js';

export interface CurrentStage {
  project: string;
  stage: string;
  subStage: string | null;
  /** When the project entered the stage (event time, ms). */
  since: number;
  /** The stage's share of all decayed scores at the project's latest event (0..1). */
  confidence: number;
  evidence: Evidence[];
}

export interface ProjectSnapshot {
  project: string;
  current: CurrentStage | null;
  /** Time of the project's latest event. */
  lastEventAt: number;
  /** The three highest stage scores now, as shares. */
  leading: { stage: string; share: number }[];
}

export interface StageDuration {
  stage: string;
  ms: number;
}

export interface HistoryEntry {
  from: string | null;
  to: string;
  subStage: string | null;
  at: number;
  endedAt: number | null;
  durationMs: number | null;
  confidence: number;
  evidence: Evidence[];
}

export class StageQueries {
  constructor(
    private readonly store: StageStore,
    private readonly t: Tuning,
  ) {}

  /** Resolve a project argument: the exact path, else a unique directory name or path suffix; null if unknown. */
  resolve(arg: string | undefined): { project: string | null; known: string[] } {
    const known = this.store.projects();
    if (arg === undefined) return { project: this.store.latestProject(), known };
    if (this.store.state(arg)) return { project: arg, known };
    const suffix = arg.replace(/[\\/]+$/, '');
    const hits = known.filter((k) => k === suffix || k.endsWith(`/${suffix}`) || k.endsWith(`\\${suffix}`));
    return { project: hits.length === 1 ? (hits[0] as string) : null, known };
  }

  snapshot(project: string): ProjectSnapshot | null {
    const st = this.store.state(project);
    if (!st) return null;
    const l = lead(this.store.scores(project), st.clock, this.t);
    const share = (s: number) => (l.total > 0 ? round(s / l.total) : 0);
    const leading = [...l.totals]
      .sort((a, b) => b[1] - a[1] || stageRank(a[0]) - stageRank(b[0]))
      .slice(0, 3)
      .map(([stage, s]) => ({ stage, share: share(s) }));
    let current: CurrentStage | null = null;
    if (st.stage !== null && st.since !== null) {
      const recent = topEvidence(this.store.signals(project, st.stage, st.clock - this.t.windowMs, st.clock), st.clock, this.t.halfLifeMs);
      current = {
        project,
        stage: st.stage,
        subStage: st.subStage,
        since: st.since,
        confidence: share(l.totals.get(st.stage) ?? 0),
        evidence: recent.length ? recent : this.store.lastEvidence(project),
      };
    }
    return { project, current, lastEventAt: st.clock, leading };
  }

  current(project: string): CurrentStage | null {
    return this.snapshot(project)?.current ?? null;
  }

  /** Time spent in each stage within [since, until); the open stage counts until `until`, else the project's latest event. */
  durations(project: string, since = 0, until?: number): StageDuration[] {
    const st = this.store.state(project);
    if (!st) return [];
    const end = until ?? st.clock;
    const by = new Map<string, number>();
    for (const r of this.store.intervals(project, since, end + 1)) {
      const ms = Math.min(r.ended_at ?? Math.max(end, r.at), end) - Math.max(r.at, since);
      if (ms > 0 || !by.has(r.to_stage)) by.set(r.to_stage, (by.get(r.to_stage) ?? 0) + Math.max(0, ms));
    }
    return [...by].map(([stage, ms]) => ({ stage, ms })).sort((a, b) => b.ms - a.ms || stageRank(a.stage) - stageRank(b.stage));
  }

  history(project: string, since: number, limit: number): { transitions: HistoryEntry[]; total: number } {
    const { rows, total } = this.store.history(project, since, limit);
    return { transitions: rows.map(entry), total };
  }
}

function entry(r: TransitionRow): HistoryEntry {
  return {
    from: r.from_stage,
    to: r.to_stage,
    subStage: r.sub_stage,
    at: r.at,
    endedAt: r.ended_at,
    durationMs: r.duration_ms,
    confidence: round(r.confidence),
    evidence: JSON.parse(r.evidence) as Evidence[],
  };
}
