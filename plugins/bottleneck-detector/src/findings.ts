// Open findings and their history, and the "sinks" the engine reports verdicts to: a writer that
// opens/resolves rows (and queues the events), or a collector used for a dry run by the
// wall-clock check. Knows SQL, not the kernel.
import type { SqlDatabase, SqlStatement } from '@devflow/plugin-sdk';
import { T } from './migrations.js';
import { severityRank, type RuleId, type Severity } from './rule-config.js';
import type { FindingFields } from './events.js';
import type { Evidence, Verdict } from './rules.js';

/** A finding as tools and the API show it. */
export interface Finding extends FindingFields {
  status: 'open' | 'resolved';
  resolvedAt?: number;
  durationMs?: number;
}

interface Row {
  key: string;
  rule: string;
  project: string;
  subject: string;
  subject_id?: string;
  severity: Severity;
  title: string;
  evidence: string;
  suggestion: string;
  opened_at: number;
  resolved_at?: number;
  duration_ms?: number;
}

/** What the engine does with a verdict: `trigger` says whether an event or the wall clock asked. */
export type Trigger = 'event' | 'clock';
export type Emit = (type: 'bottleneck-detector.bottleneck.opened' | 'bottleneck-detector.bottleneck.resolved', data: Record<string, unknown>, project: string, ts: number, severity: Severity) => void;

/** An opening or a resolution, as its event will say it. */
export interface Change {
  type: 'opened' | 'resolved';
  data: Record<string, unknown>;
  severity: Severity;
}

export interface Sink {
  set(rule: RuleId, project: string, subjectId: string, verdict: Verdict | null, now: number): void;
}

/** The stable id of a finding: rule, project and subject. */
export const findingKey = (rule: string, project: string, subjectId: string): string => `${rule}:${project}:${subjectId}`;

function view(r: Row, status: 'open' | 'resolved'): Finding {
  let evidence: Evidence[] = [];
  try {
    evidence = JSON.parse(r.evidence) as Evidence[];
  } catch {
    /* a damaged row shows without evidence */
  }
  return {
    key: r.key, rule: r.rule, project: r.project, severity: r.severity, title: r.title, subject: r.subject, evidence, suggestion: r.suggestion, openedAt: r.opened_at, status,
    ...(status === 'resolved' ? { resolvedAt: r.resolved_at as number, durationMs: r.duration_ms as number } : {}),
  };
}

export class FindingStore {
  private readonly q: Record<string, SqlStatement>;

  constructor(db: SqlDatabase) {
    const prep = (sql: string) => db.prepare(sql);
    this.q = {
      get: prep(`SELECT * FROM ${T}open WHERE key = ?`),
      head: prep(`SELECT subject, opened_at FROM ${T}open WHERE key = ?`),
      insert: prep(`INSERT INTO ${T}open (key, rule, project, subject, subject_id, severity, sev_rank, title, evidence, suggestion, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      remove: prep(`DELETE FROM ${T}open WHERE key = ?`),
      archive: prep(`INSERT INTO ${T}history (key, rule, project, subject, severity, sev_rank, title, evidence, suggestion, opened_at, resolved_at, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      dayBased: prep(`SELECT 1 FROM ${T}open WHERE project = ? AND rule IN ('slow-build', 'slow-tests', 'hot-file') LIMIT 1`),
      isOpen: prep(`SELECT 1 FROM ${T}open WHERE key = ?`),
      openOfProject: prep(`SELECT rule, subject_id FROM ${T}open WHERE project = ?`),
      listOpenAll: prep(`SELECT * FROM ${T}open WHERE sev_rank >= ? AND (? IS NULL OR rule = ?) ORDER BY sev_rank DESC, opened_at, key LIMIT ?`),
      listOpenProject: prep(`SELECT * FROM ${T}open WHERE project = ? AND sev_rank >= ? AND (? IS NULL OR rule = ?) ORDER BY sev_rank DESC, opened_at, key LIMIT ?`),
      listDoneAll: prep(`SELECT * FROM ${T}history WHERE resolved_at >= ? AND sev_rank >= ? AND (? IS NULL OR rule = ?) ORDER BY resolved_at DESC, id DESC LIMIT ?`),
      listDoneProject: prep(`SELECT * FROM ${T}history WHERE project = ? AND resolved_at >= ? AND sev_rank >= ? AND (? IS NULL OR rule = ?) ORDER BY resolved_at DESC, id DESC LIMIT ?`),
      countOpenAll: prep(`SELECT count(*) AS n FROM ${T}open WHERE sev_rank >= ?`),
      countOpenProject: prep(`SELECT count(*) AS n FROM ${T}open WHERE project = ? AND sev_rank >= ?`),
      lastDone: prep(`SELECT * FROM ${T}history WHERE key = ? ORDER BY resolved_at DESC, id DESC LIMIT 1`),
      occurrences: prep(`SELECT count(*) AS n FROM ${T}history WHERE key = ?`),
    };
  }

  /**
   * During a projection batch (inside its transaction, between `batch(true)` and `batch(false)`),
   * whether a key is open is read once and then kept up to date by `set`; outside a batch every
   * question goes to the table.
   */
  batch(on: boolean): void {
    this.openKeys = on ? new Map() : null;
  }

  private openKeys: Map<string, boolean> | null = null;

  isOpen(key: string): boolean {
    let open = this.openKeys?.get(key);
    if (open === undefined) {
      open = this.q.isOpen!.get(key) !== undefined;
      this.openKeys?.set(key, open);
    }
    return open;
  }


  /** Whether a finding of a day-based rule (slow series, hot file) is open in the project. */
  hasDayBased(project: string): boolean {
    return this.q.dayBased!.get(project) !== undefined;
  }

  /** Subject ids of the open findings of a project, by rule. */
  openSubjects(project: string): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const r of this.q.openOfProject!.all(project) as { rule: string; subject_id: string }[]) {
      const list = out.get(r.rule) ?? [];
      list.push(r.subject_id);
      out.set(r.rule, list);
    }
    return out;
  }

  /** The event that opening (verdict) or resolving (null) would announce; null when nothing changes. Writes nothing. */
  describe(rule: RuleId, project: string, subjectId: string, verdict: Verdict | null, now: number): Change | null {
    const key = findingKey(rule, project, subjectId);
    if (this.isOpen(key) === (verdict !== null)) return null;
    const row = (verdict ? undefined : this.q.head!.get(key)) as Pick<Row, 'subject' | 'opened_at'> | undefined;
    if (verdict && !row) {
      return { type: 'opened', severity: verdict.severity, data: { key, rule, project, severity: verdict.severity, title: verdict.title, subject: verdict.subject, evidence: verdict.evidence, suggestion: verdict.suggestion, openedAt: now } };
    }
    if (!verdict && row) return { type: 'resolved', severity: 'info', data: { key, rule, project, subject: row.subject, openedAt: row.opened_at, resolvedAt: now, durationMs: Math.max(0, now - row.opened_at) } };
    return null;
  }

  /** Open (when `verdict`) or resolve (when null) a finding; returns the event to announce, if any. */
  set(rule: RuleId, project: string, subjectId: string, verdict: Verdict | null, now: number): Change | null {
    const change = this.describe(rule, project, subjectId, verdict, now);
    if (!change) return null;
    const key = change.data.key as string;
    this.openKeys?.set(key, verdict !== null);
    if (verdict) {
      this.q.insert!.run(key, rule, project, verdict.subject, subjectId, verdict.severity, severityRank(verdict.severity), verdict.title, JSON.stringify(verdict.evidence), verdict.suggestion, now);
    } else {
      const row = this.q.get!.get(key) as Row;
      this.q.remove!.run(key);
      this.q.archive!.run(key, rule, project, row.subject, row.severity, severityRank(row.severity), row.title, row.evidence, row.suggestion, row.opened_at, now, change.data.durationMs);
    }
    return change;
  }

  list(q: { project: string | null; status: 'open' | 'resolved'; minRank: number; rule: string | null; since: number; limit: number }): Finding[] {
    if (q.status === 'open') {
      const rows = (q.project === null ? this.q.listOpenAll!.all(q.minRank, q.rule, q.rule, q.limit) : this.q.listOpenProject!.all(q.project, q.minRank, q.rule, q.rule, q.limit)) as Row[];
      return rows.map((r) => view(r, 'open'));
    }
    const rows = (q.project === null ? this.q.listDoneAll!.all(q.since, q.minRank, q.rule, q.rule, q.limit) : this.q.listDoneProject!.all(q.project, q.since, q.minRank, q.rule, q.rule, q.limit)) as Row[];
    return rows.map((r) => view(r, 'resolved'));
  }

  countOpen(project: string | null, minRank: number): number {
    return (project === null ? (this.q.countOpenAll!.get(minRank) as { n: number }) : (this.q.countOpenProject!.get(project, minRank) as { n: number })).n;
  }

  /** The open finding with `key`, else its latest resolved occurrence; with how often it resolved. */
  explain(key: string): { finding: Finding; resolvedBefore: number } | null {
    const open = this.q.get!.get(key) as Row | undefined;
    const resolvedBefore = (this.q.occurrences!.get(key) as { n: number }).n;
    if (open) return { finding: view(open, 'open'), resolvedBefore };
    const done = this.q.lastDone!.get(key) as Row | undefined;
    return done ? { finding: view(done, 'resolved'), resolvedBefore: resolvedBefore - 1 } : null;
  }
}

/** Writes verdicts and announces changes through `emit` (null: silently, for clock events being folded). */
export class WriterSink implements Sink {
  constructor(
    private readonly store: FindingStore,
    private readonly emit: Emit | null,
    private readonly trigger: Trigger,
    /** Only this key is applied (a clock event names one finding). */
    private readonly only: string | null = null,
  ) {}

  set(rule: RuleId, project: string, subjectId: string, verdict: Verdict | null, now: number): void {
    if (this.only !== null && findingKey(rule, project, subjectId) !== this.only) return;
    const change = this.store.set(rule, project, subjectId, verdict, now);
    if (change && this.emit) this.emit(`bottleneck-detector.bottleneck.${change.type}`, { ...change.data, trigger: this.trigger }, project, now, change.severity);
  }
}

export interface PendingChange extends Change {
  project: string;
  now: number;
}

/** A dry run: collects the changes a verdict would make, writes nothing. */
export class CollectSink implements Sink {
  readonly changes: PendingChange[] = [];
  constructor(private readonly store: FindingStore) {}

  set(rule: RuleId, project: string, subjectId: string, verdict: Verdict | null, now: number): void {
    const change = this.store.describe(rule, project, subjectId, verdict, now);
    if (change) this.changes.push({ ...change, data: { ...change.data, trigger: 'clock' }, project, now });
  }
}
