// The projection's fold: one event at a time, in log order, into the stage tables. Deterministic:
// only event fields (ts, id, data) and table contents decide, never the wall clock. Within one
// `apply` call a project's state and score rows are read once and written back at the end (the same
// values as writing after every event); so are the evidence candidates of each stage touched
// (see evidence.ts: only signals that can still be among the top 5 are kept). Transitions are
// written at once.
import { candidates, topEvidence, type SignalRow } from './evidence.js';
import type { CompiledRule } from './rules.js';
import { addSignal, decide, lead, type ScoreRow, type Tuning } from './scoring.js';
import { RuleMatcher } from './matcher.js';
import type { EventLike } from './signals.js';
import type { Evidence, StageChanged } from './stages.js';
import type { ProjectState, StageStore } from './store.js';

export { MAX_EVIDENCE, topEvidence } from './evidence.js';

/** The effective rules for each project: a per-project set where the config has one, else the global set. */
export interface RuleSets {
  global: readonly CompiledRule[];
  byProject: ReadonlyMap<string, readonly CompiledRule[]>;
}

export interface FoldOptions extends Tuning {
  /** Events dated more than this after they were recorded (their UUIDv7 id time) are ignored. */
  maxFutureMs: number;
}

const hex = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/** When a UUIDv7 id was minted (ms), or null for other ids. */
export function idTime(id: string): number | null {
  // Same as /^[0-9a-f]{8}-[0-9a-f]{4}-7/i, without a regular expression per event.
  if (typeof id !== 'string' || id.length < 15 || id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45 || id.charCodeAt(14) !== 55) return null;
  for (let i = 0; i < 13; i++) if (i !== 8 && !hex(id.charCodeAt(i))) return null;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** One project's rows while a batch is folded. */
interface Working {
  st: ProjectState;
  rows: Map<string, ScoreRow>;
  dirty: Set<string>;
  evidence?: Evidence[];
  /** Evidence candidates per stage, loaded on first use. */
  cands: Map<string, Candidates>;
}

/** One stage's evidence candidates while a batch is folded (see evidence.ts). */
interface Candidates {
  rows: SignalRow[];
  /** The id the next signal gets (ids order the rows of one stage by fold order). */
  nextId: number;
  /** Re-thin the list when it reaches this length. */
  cap: number;
}

/** What one `apply` call keeps between events. */
interface Batch {
  projects: Map<string, Working | null>;
  ignored: Map<string, number>;
}

const fresh = (project: string, clock: number): ProjectState => ({
  project, clock, stage: null, subStage: null, since: null, leader: null, leaderSince: null, subLeader: null, subLeaderSince: null, events: 0, signals: 0, prunedAt: clock,
});

export class StageFold {
  /** `stage/subStage` score keys, made once. */
  private readonly keys = new Map<string, Map<string, string>>();
  /** One matcher (with its memos) per rule set. */
  private readonly matchers = new WeakMap<readonly CompiledRule[], RuleMatcher>();

  constructor(
    private readonly store: StageStore,
    private readonly rules: RuleSets,
    private readonly o: FoldOptions,
  ) {}

  /** Fold events in order; `emit` gets each transition's `stage.changed` payload. Never throws on bad data. */
  apply(events: readonly EventLike[], emit: (data: StageChanged) => void): void {
    const batch: Batch = { projects: new Map(), ignored: new Map() };
    for (const e of events) this.one(e, batch, emit);
    for (const w of batch.projects.values()) {
      if (!w) continue;
      for (const key of w.dirty) this.store.putScore(w.st.project, w.rows.get(key) as ScoreRow);
      for (const [stage, c] of w.cands) this.store.putCandidates(w.st.project, stage, this.thin(c.rows, w.st.clock));
      this.store.putState(w.st, w.evidence);
    }
    for (const [reason, n] of batch.ignored) this.store.ignore(reason, n);
  }

  /** The rows that can still be evidence at `clock` or later. */
  private thin(rows: readonly SignalRow[], clock: number): SignalRow[] {
    const from = clock - this.o.windowMs;
    return candidates(rows.filter((r) => r.ts >= from), this.o.halfLifeMs, this.o.windowMs);
  }

  private candidatesOf(w: Working, stage: string): Candidates {
    let c = w.cands.get(stage);
    if (!c) {
      const rows = this.store.candidates(w.st.project, stage);
      c = { rows, nextId: rows.reduce((n, r) => Math.max(n, r.id), 0) + 1, cap: rows.length * 2 + 32 };
      w.cands.set(stage, c);
    }
    return c;
  }

  private keyOf(stage: string, subStage: string): string {
    let subs = this.keys.get(stage);
    if (!subs) this.keys.set(stage, (subs = new Map()));
    let key = subs.get(subStage);
    if (key === undefined) subs.set(subStage, (key = `${stage}/${subStage}`));
    return key;
  }

  private matcherFor(project: string): RuleMatcher {
    const set = this.rules.byProject.get(project) ?? this.rules.global;
    let m = this.matchers.get(set);
    if (!m) this.matchers.set(set, (m = new RuleMatcher(set)));
    return m;
  }

  private ignore(batch: Batch, reason: string): void {
    batch.ignored.set(reason, (batch.ignored.get(reason) ?? 0) + 1);
  }

  private working(project: string, batch: Batch): Working | null {
    let w = batch.projects.get(project);
    if (w === undefined) {
      const st = this.store.state(project);
      w = st ? { st, rows: new Map(this.store.scores(project).map((r) => [`${r.stage}/${r.subStage}`, r])), dirty: new Set(), cands: new Map() } : null;
      batch.projects.set(project, w);
    }
    return w;
  }

  private one(e: EventLike, batch: Batch, emit: (data: StageChanged) => void): void {
    const project = e.project;
    if (typeof project !== 'string' || !project) return this.ignore(batch, 'no-project');
    if (typeof e.ts !== 'number' || !Number.isFinite(e.ts)) return this.ignore(batch, 'bad-time');
    const minted = idTime(e.id);
    if (minted !== null && e.ts > minted + this.o.maxFutureMs) return this.ignore(batch, 'future');
    const w0 = this.working(project, batch);
    const prevClock = w0?.st.clock ?? null;
    if (prevClock !== null && e.ts < prevClock - this.o.windowMs) return this.ignore(batch, 'stale');
    const clock = Math.max(prevClock ?? e.ts, e.ts);
    const w: Working = w0 ?? { st: fresh(project, clock), rows: new Map(), dirty: new Set(), cands: new Map() };
    if (!w0) batch.projects.set(project, w);
    const { st, rows } = w;

    const signals = this.matcherFor(project).match(e, {
      currentStage: st.stage,
      prevClock,
      lastSignalAt: (stage) => {
        let last: number | null = null;
        for (const r of rows.values()) if (r.stage === stage && (last === null || r.lastAt > last)) last = r.lastAt;
        return last;
      },
    });
    for (const sig of signals) {
      const key = this.keyOf(sig.stage, sig.subStage ?? '');
      rows.set(key, addSignal(rows.get(key), sig.stage, sig.subStage ?? '', clock, e.ts, sig.weight, this.o));
      w.dirty.add(key);
      const c = this.candidatesOf(w, sig.stage);
      c.rows.push({ id: c.nextId++, ts: e.ts, stage: sig.stage, sub_stage: sig.subStage ?? '', rule: sig.rule, weight: sig.weight, event_id: e.id, event_type: e.type, detail: sig.detail });
      if (c.rows.length >= c.cap) {
        c.rows = this.thin(c.rows, clock);
        c.cap = c.rows.length * 2 + 32;
      }
    }

    const { state, transition } = decide(st, lead([...rows.values()], clock, this.o), clock, this.o);
    if (transition) {
      const from = clock - this.o.windowMs;
      const inWindow = this.candidatesOf(w, transition.to).rows.filter((r) => r.ts >= from && r.ts <= clock);
      const evidence = topEvidence(inWindow, clock, this.o.halfLifeMs);
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
    // Field by field: an object spread per event costs more than the rest of this line.
    w.st = {
      project, clock, stage: state.stage, subStage: state.subStage, since: state.since, leader: state.leader, leaderSince: state.leaderSince,
      subLeader: state.subLeader, subLeaderSince: state.subLeaderSince, events: st.events + 1, signals: st.signals + (signals.length ? 1 : 0), prunedAt,
    };
  }
}

export const round = (x: number) => Math.round(x * 1000) / 1000;
