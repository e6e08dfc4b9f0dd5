// stage-analyzer's tables and every statement on them, prepared once. Knows SQL, not the kernel.
import type { Migration, SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import type { ScoreRow, StageState } from './scoring.js';
import { decodeCandidates, encodeCandidates, type SignalRow } from './evidence.js';
import type { Evidence } from './stages.js';

export type { SignalRow } from './evidence.js';

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'state, scores, signals, transitions, ignored',
    up: `
      CREATE TABLE stage_analyzer__state (
        project TEXT PRIMARY KEY,
        clock INTEGER NOT NULL,
        stage TEXT, sub_stage TEXT, since INTEGER,
        leader TEXT, leader_since INTEGER, sub_leader TEXT, sub_leader_since INTEGER,
        events INTEGER NOT NULL DEFAULT 0,
        signals INTEGER NOT NULL DEFAULT 0,
        pruned_at INTEGER NOT NULL DEFAULT 0,
        evidence TEXT
      );
      CREATE INDEX stage_analyzer__state_clock ON stage_analyzer__state (clock);
      CREATE TABLE stage_analyzer__scores (
        project TEXT NOT NULL, stage TEXT NOT NULL, sub_stage TEXT NOT NULL,
        score REAL NOT NULL, at INTEGER NOT NULL, last_at INTEGER NOT NULL,
        PRIMARY KEY (project, stage, sub_stage)
      ) WITHOUT ROWID;
      CREATE TABLE stage_analyzer__signals (
        id INTEGER PRIMARY KEY,
        project TEXT NOT NULL, ts INTEGER NOT NULL, stage TEXT NOT NULL, sub_stage TEXT NOT NULL,
        rule TEXT NOT NULL, weight REAL NOT NULL, event_id TEXT NOT NULL, event_type TEXT NOT NULL, detail TEXT NOT NULL
      );
      CREATE INDEX stage_analyzer__signals_project_ts ON stage_analyzer__signals (project, ts);
      CREATE INDEX stage_analyzer__signals_stage ON stage_analyzer__signals (project, stage, ts);
      CREATE TABLE stage_analyzer__transitions (
        id INTEGER PRIMARY KEY,
        project TEXT NOT NULL,
        from_stage TEXT, from_sub_stage TEXT, to_stage TEXT NOT NULL, sub_stage TEXT,
        at INTEGER NOT NULL, ended_at INTEGER, duration_ms INTEGER,
        confidence REAL NOT NULL, evidence TEXT NOT NULL
      );
      CREATE INDEX stage_analyzer__transitions_project_at ON stage_analyzer__transitions (project, at);
      CREATE TABLE stage_analyzer__ignored (reason TEXT PRIMARY KEY, n INTEGER NOT NULL);
    `,
    down: `
      DROP TABLE stage_analyzer__ignored;
      DROP TABLE stage_analyzer__transitions;
      DROP TABLE stage_analyzer__signals;
      DROP TABLE stage_analyzer__scores;
      DROP TABLE stage_analyzer__state;
    `,
  },
  {
    version: 2,
    name: 'evidence candidates per stage instead of one row per signal',
    up: `
      DROP TABLE stage_analyzer__signals;
      CREATE TABLE stage_analyzer__evidence (
        project TEXT NOT NULL, stage TEXT NOT NULL, signals TEXT NOT NULL,
        PRIMARY KEY (project, stage)
      ) WITHOUT ROWID;
    `,
    down: `
      DROP TABLE stage_analyzer__evidence;
      CREATE TABLE stage_analyzer__signals (
        id INTEGER PRIMARY KEY,
        project TEXT NOT NULL, ts INTEGER NOT NULL, stage TEXT NOT NULL, sub_stage TEXT NOT NULL,
        rule TEXT NOT NULL, weight REAL NOT NULL, event_id TEXT NOT NULL, event_type TEXT NOT NULL, detail TEXT NOT NULL
      );
      CREATE INDEX stage_analyzer__signals_project_ts ON stage_analyzer__signals (project, ts);
      CREATE INDEX stage_analyzer__signals_stage ON stage_analyzer__signals (project, stage, ts);
    `,
  },
];

/** One project's row in `stage_analyzer__state`. */
export interface ProjectState extends StageState {
  project: string;
  clock: number;
  events: number;
  signals: number;
  prunedAt: number;
}

export interface TransitionRow {
  id: number;
  project: string;
  from_stage: string | null;
  from_sub_stage: string | null;
  to_stage: string;
  sub_stage: string | null;
  at: number;
  ended_at: number | null;
  duration_ms: number | null;
  confidence: number;
  evidence: string;
}

interface RawState {
  project: string; clock: number; stage: string | null; sub_stage: string | null; since: number | null;
  leader: string | null; leader_since: number | null; sub_leader: string | null; sub_leader_since: number | null;
  events: number; signals: number; pruned_at: number;
}

const T = 'stage_analyzer__';

export class StageStore {
  private readonly s: Record<string, SqlStatement>;
  /** Decoded evidence candidates by stage and project, with the JSON they came from (see candidates()). */
  private readonly decoded = new Map<string, { json: string; rows: SignalRow[] }>();

  constructor(private readonly db: SqlDatabase) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      getState: p(`SELECT project, clock, stage, sub_stage, since, leader, leader_since, sub_leader, sub_leader_since, events, signals, pruned_at FROM ${T}state WHERE project = ?`),
      getEvidence: p(`SELECT evidence FROM ${T}state WHERE project = ?`),
      putState: p(
        `INSERT INTO ${T}state (project, clock, stage, sub_stage, since, leader, leader_since, sub_leader, sub_leader_since, events, signals, pruned_at, evidence)
         VALUES (@project, @clock, @stage, @subStage, @since, @leader, @leaderSince, @subLeader, @subLeaderSince, @events, @signals, @prunedAt, @evidence)
         ON CONFLICT (project) DO UPDATE SET clock = excluded.clock, stage = excluded.stage, sub_stage = excluded.sub_stage, since = excluded.since,
           leader = excluded.leader, leader_since = excluded.leader_since, sub_leader = excluded.sub_leader, sub_leader_since = excluded.sub_leader_since,
           events = excluded.events, signals = excluded.signals, pruned_at = excluded.pruned_at, evidence = coalesce(excluded.evidence, ${T}state.evidence)`,
      ),
      scores: p(`SELECT stage, sub_stage AS subStage, score, at, last_at AS lastAt FROM ${T}scores WHERE project = ?`),
      putScore: p(
        `INSERT INTO ${T}scores (project, stage, sub_stage, score, at, last_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (project, stage, sub_stage) DO UPDATE SET score = excluded.score, at = excluded.at, last_at = excluded.last_at`,
      ),
      candidates: p(`SELECT signals FROM ${T}evidence WHERE project = ? AND stage = ?`),
      putCandidates: p(`INSERT INTO ${T}evidence (project, stage, signals) VALUES (?, ?, ?) ON CONFLICT (project, stage) DO UPDATE SET signals = excluded.signals`),
      dropCandidates: p(`DELETE FROM ${T}evidence WHERE project = ? AND stage = ?`),
      pruneScores: p(`DELETE FROM ${T}scores WHERE project = ? AND last_at < ?`),
      closeOpen: p(`UPDATE ${T}transitions SET ended_at = @at, duration_ms = @at - at WHERE project = @project AND ended_at IS NULL`),
      addTransition: p(
        `INSERT INTO ${T}transitions (project, from_stage, from_sub_stage, to_stage, sub_stage, at, confidence, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      ignore: p(`INSERT INTO ${T}ignored (reason, n) VALUES (?, ?) ON CONFLICT (reason) DO UPDATE SET n = n + excluded.n`),
      ignored: p(`SELECT reason, n FROM ${T}ignored ORDER BY reason`),
      latest: p(`SELECT project FROM ${T}state ORDER BY clock DESC, project LIMIT 1`),
      projects: p(`SELECT project FROM ${T}state ORDER BY clock DESC, project LIMIT 200`),
      history: p(`SELECT * FROM ${T}transitions WHERE project = ? AND coalesce(ended_at, 9e15) >= ? ORDER BY at DESC, id DESC LIMIT ?`),
      countHistory: p(`SELECT count(*) AS n FROM ${T}transitions WHERE project = ? AND coalesce(ended_at, 9e15) >= ?`),
      overlapping: p(`SELECT to_stage, at, ended_at FROM ${T}transitions WHERE project = ? AND at < ? AND coalesce(ended_at, 9e15) > ? ORDER BY at, id`),
    };
  }

  state(project: string): ProjectState | undefined {
    const r = this.s.getState!.get(project) as RawState | undefined;
    if (!r) return undefined;
    return {
      project: r.project, clock: r.clock, stage: r.stage, subStage: r.sub_stage, since: r.since,
      leader: r.leader, leaderSince: r.leader_since, subLeader: r.sub_leader, subLeaderSince: r.sub_leader_since,
      events: r.events, signals: r.signals, prunedAt: r.pruned_at,
    };
  }

  /** The evidence stored with the project's last transition. */
  lastEvidence(project: string): Evidence[] {
    const raw = (this.s.getEvidence!.get(project) as { evidence: string | null } | undefined)?.evidence;
    return raw ? (JSON.parse(raw) as Evidence[]) : [];
  }

  /** Write the state; `evidence` is only rewritten when given (at transitions). */
  putState(st: ProjectState, evidence?: Evidence[]): void {
    const { project, clock, stage, subStage, since, leader, leaderSince, subLeader, subLeaderSince, events, signals, prunedAt } = st;
    this.s.putState!.run({ project, clock, stage, subStage, since, leader, leaderSince, subLeader, subLeaderSince, events, signals, prunedAt, evidence: evidence ? JSON.stringify(evidence) : null });
  }

  scores(project: string): ScoreRow[] {
    return this.s.scores!.all(project) as ScoreRow[];
  }

  putScore(project: string, r: ScoreRow): void {
    this.s.putScore!.run(project, r.stage, r.subStage, r.score, r.at, r.lastAt);
  }

  /** A stage's evidence candidates (a few signal rows; see evidence.ts), in no particular order. */
  candidates(project: string, stage: string): SignalRow[] {
    const json = (this.s.candidates!.get(project, stage) as { signals: string } | undefined)?.signals;
    // A memo of the last rows read or written, used only while the table holds exactly that text.
    const key = `${stage}\u0000${project}`;
    const m = this.decoded.get(key);
    if (m && m.json === json) return m.rows.slice();
    const rows = decodeCandidates(stage, json);
    if (json) this.remember(key, json, rows);
    return rows.slice();
  }

  /** Replace a stage's evidence candidates (none: the row goes). */
  putCandidates(project: string, stage: string, rows: readonly SignalRow[]): void {
    if (rows.length) {
      const json = encodeCandidates(rows);
      this.s.putCandidates!.run(project, stage, json);
      this.remember(`${stage}\u0000${project}`, json, rows.slice());
    } else this.s.dropCandidates!.run(project, stage);
  }

  private remember(key: string, json: string, rows: SignalRow[]): void {
    if (this.decoded.size >= 4096) this.decoded.clear();
    this.decoded.set(key, { json, rows });
  }

  /** Drop score buckets older than `before` (outside every window). */
  prune(project: string, before: number): void {
    this.s.pruneScores!.run(project, before);
  }

  /** A stage's evidence candidates dated within [from, to]. */
  signals(project: string, stage: string, from: number, to: number): SignalRow[] {
    return this.candidates(project, stage).filter((r) => r.ts >= from && r.ts <= to);
  }

  addTransition(project: string, from: string | null, fromSub: string | null, to: string, sub: string | null, at: number, confidence: number, evidence: Evidence[]): void {
    this.s.closeOpen!.run({ project, at });
    this.s.addTransition!.run(project, from, fromSub, to, sub, at, confidence, JSON.stringify(evidence));
  }

  ignore(reason: string, n = 1): void {
    this.s.ignore!.run(reason, n);
  }

  ignored(): Record<string, number> {
    return Object.fromEntries((this.s.ignored!.all() as { reason: string; n: number }[]).map((r) => [r.reason, r.n]));
  }

  latestProject(): string | null {
    return (this.s.latest!.get() as { project: string } | undefined)?.project ?? null;
  }

  /** Known projects, most recently active first (≤ 200). */
  projects(): string[] {
    return (this.s.projects!.all() as { project: string }[]).map((r) => r.project);
  }

  /** Transitions still open at or after `since`, newest first, and how many there are in all. */
  history(project: string, since: number, limit: number): { rows: TransitionRow[]; total: number } {
    return { rows: this.s.history!.all(project, since, limit) as TransitionRow[], total: (this.s.countHistory!.get(project, since) as { n: number }).n };
  }

  /** Stage intervals overlapping [since, until). */
  intervals(project: string, since: number, until: number): { to_stage: string; at: number; ended_at: number | null }[] {
    return this.s.overlapping!.all(project, until, since) as { to_stage: string; at: number; ended_at: number | null }[];
  }

  reset(): void {
    for (const t of ['state', 'scores', 'evidence', 'transitions', 'ignored']) this.db.exec(`DELETE FROM ${T}${t}`);
  }
}
