// The projection's fold: one event at a time, in log order, into the stage tables. Deterministic:
// only event fields (ts, id, data) and table contents decide, never the wall clock. Within one
// `apply` call a project's state and score rows are read once and written back at the end (the same
// values as writing after every event; signals and transitions are written at once).
import type { CompiledRule } from './rules.js';
import { addSignal, decide, lead, type ScoreRow, type Tuning } from './scoring.js';
import { matchEvent, type EventLike } from './signals.js';
import type { Evidence, StageChanged } from './stages.js';
import type { ProjectState, SignalRow, StageStore } from './store.js';

export const MAX_EVIDENCE = 5;

/** The effective rules for each project: a per-project set where the config has one, else the global set. */
export interface RuleSets {
  global: readonly CompiledRule[];
  byProject: ReadonlyMap<string, readonly CompiledRule[]>;
}

export interface FoldOptions extends Tuning {
  /** Events dated more than this after they were recorded (their UUIDv7 id time) are ignored. */
  maxFutureMs: number;
}

/** When a UUIDv7 id was minted (ms), or null for other ids. */
export function idTime(id: string): number | null {
  if (typeof id !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-7/i.test(id)) return null;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** The top contributors (by weight decayed to `clock`), newest first on ties; at most 5. */
export function topEvidence(rows: readonly SignalRow[], clock: number, halfLifeMs: number): Evidence[] {
  return rows
    .map((r) => ({ r, c: r.weight * 2 ** (-Math.max(0, clock - r.ts) / halfLifeMs) }))
    .sort((a, b) => b.c - a.c || b.r.ts - a.r.ts || b.r.id - a.r.id)
    .slice(0, MAX_EVIDENCE)
    .map(({ r }) => ({ rule: r.rule, eventType: r.event_type, eventId: r.event_id, detail: r.detail }));
}

/** One project's rows while a batch is folded. */
interface Working {
  st: ProjectState;
  rows: Map<string, ScoreRow>;
  dirty: Set<string>;
  evidence?: Evidence[];
}

const fresh = (project: string, clock: number): ProjectState => ({
  project, clock, stage: null, subStage: null, since: null, leader: null, leaderSince: null, subLeader: null, subLeaderSince: null, events: 0, signals: 0, prunedAt: clock,
});

export class StageFold {
  constructor(
    private readonly store: StageStore,
    private readonly rules: RuleSets,
    private readonly o: FoldOptions,
  ) {}

  /** Fold events in order; `emit` gets each transition's `stage.changed` payload. Never throws on bad data. */
  apply(events: readonly EventLike[], emit: (data: StageChanged) => void): void {
    const batch = new Map<string, Working | null>();
    for (const e of events) this.one(e, batch, emit);
    for (const w of batch.values()) {
      if (!w) continue;
      for (const key of w.dirty) this.store.putScore(w.st.project, w.rows.get(key) as ScoreRow);
      this.store.putState(w.st, w.evidence);
    }
  }

  private working(project: string, batch: Map<string, Working | null>): Working | null {
    let w = batch.get(project);
    if (w === undefined) {
      const st = this.store.state(project);
      w = st ? { st, rows: new Map(this.store.scores(project).map((r) => [`${r.stage}/${r.subStage}`, r])), dirty: new Set() } : null;
      batch.set(project, w);
    }
    return w;
  }

  private one(e: EventLike, batch: Map<string, Working | null>, emit: (data: StageChanged) => void): void {
    const project = e.project;
    if (typeof project !== 'string' || !project) return this.store.ignore('no-project');
    if (typeof e.ts !== 'number' || !Number.isFinite(e.ts)) return this.store.ignore('bad-time');
    const minted = idTime(e.id);
    if (minted !== null && e.ts > minted + this.o.maxFutureMs) return this.store.ignore('future');
    const w0 = this.working(project, batch);
    const prevClock = w0?.st.clock ?? null;
    if (prevClock !== null && e.ts < prevClock - this.o.windowMs) return this.store.ignore('stale');
    const clock = Math.max(prevClock ?? e.ts, e.ts);
    const w: Working = w0 ?? { st: fresh(project, clock), rows: new Map(), dirty: new Set() };
    if (!w0) batch.set(project, w);
    const { st, rows } = w;

    const signals = matchEvent(e, this.rules.byProject.get(project) ?? this.rules.global, {
      currentStage: st.stage,
      prevClock,
      lastSignalAt: (stage) => {
        let last: number | null = null;
        for (const r of rows.values()) if (r.stage === stage && (last === null || r.lastAt > last)) last = r.lastAt;
        return last;
      },
    });
    for (const sig of signals) {
      const key = `${sig.stage}/${sig.subStage ?? ''}`;
      rows.set(key, addSignal(rows.get(key), sig.stage, sig.subStage ?? '', clock, e.ts, sig.weight, this.o));
      w.dirty.add(key);
      this.store.addSignal(project, e.ts, sig.stage, sig.subStage ?? '', sig.rule, sig.weight, e.id, e.type, sig.detail);
    }

    const { state, transition } = decide(st, lead([...rows.values()], clock, this.o), clock, this.o);
    if (transition) {
      const evidence = topEvidence(this.store.signals(project, transition.to, clock - this.o.windowMs, clock), clock, this.o.halfLifeMs);
      this.store.addTransition(project, transition.from, transition.fromSubStage, transition.to, transition.subStage, transition.at, transition.confidence, evidence);
      emit({ project, from: transition.from, to: transition.to, subStage: transition.subStage, confidence: round(transition.confidence), evidence, at: transition.at });
      w.evidence = evidence;
    }
    let prunedAt = st.prunedAt;
    if (clock - prunedAt >= this.o.windowMs / 4) {
      const cutoff = clock - this.o.windowMs;
      this.store.prune(project, cutoff);
      for (const [key, r] of rows) if (r.lastAt < cutoff) (rows.delete(key), w.dirty.delete(key));
      prunedAt = clock;
    }
    w.st = { ...st, ...state, project, clock, events: st.events + 1, signals: st.signals + (signals.length ? 1 : 0), prunedAt };
  }
}

export const round = (x: number) => Math.round(x * 1000) / 1000;
