// Test runs (pass rate, failing streaks, flaky tests), coverage, builds and AI sessions.
// SQL only; no kernel. See README "Definitions".
import type { SqlDatabase, SqlStatement, StoredEvent } from '@devflow/plugin-sdk';
import type { ProjectRow } from './activity.js';
import { num, obj, str, strings } from './fields.js';
import type { Rollups } from './rollups.js';

/** Whether a run succeeded: `ok`, else exit code 0, else no failed tests; null when nothing says. */
export function runOk(d: Record<string, unknown>): boolean | null {
  if (typeof d.ok === 'boolean') return d.ok;
  if (typeof d.exitCode === 'number') return d.exitCode === 0;
  const failed = num(d.failed);
  return failed === null ? null : failed === 0;
}

/** Line coverage (else statements) in percent, when the payload has a usable one. */
export function coverageOf(v: unknown): number | null {
  const c = obj(v);
  const pct = num(c.lines) ?? num(c.statements);
  return pct !== null && pct <= 100 ? pct : null;
}

/** AI sessions whose totals are kept in memory before the cache is emptied. */
const MAX_SESSIONS = 2000;

export class TestsFold {
  private readonly s: Record<string, SqlStatement>;
  // Caches kept across batches while the fold continues (see `forget`): each project's failing test
  // names, and AI session totals (dirty: to write at the end of the batch).
  private readonly failingNames = new Map<number, Set<string>>();
  private readonly sessions = new Map<string, { active: number; tokens: number; dirty: boolean }>();

  constructor(db: SqlDatabase, private readonly rollups: Rollups) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      // One row per run, build or report: kind 1 a test run with its outcome, 2 a build, 0 coverage only.
      run: p('INSERT OR IGNORE INTO metrics__run (ts, seq, project, kind, ok, ms, cov) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      state: p('SELECT failing FROM metrics__test_state WHERE project = ? AND name = ?'),
      setState: p('INSERT INTO metrics__test_state (project, name, failing) VALUES (?, ?, ?) ON CONFLICT (project, name) DO UPDATE SET failing = excluded.failing'),
      failing: p('SELECT name FROM metrics__test_state WHERE project = ? AND failing = 1'),
      flip: p('INSERT OR IGNORE INTO metrics__flip (ts, seq, name, project) VALUES (?, ?, ?, ?)'),
      session: p('SELECT active_ms, tokens FROM metrics__ai_session WHERE key = ?'),
      setSession: p('INSERT OR REPLACE INTO metrics__ai_session (key, active_ms, tokens) VALUES (?, ?, ?)'),
    };
  }

  /** `test-monitor.run.finished`: test runs count; every kind may carry coverage. */
  run(e: StoredEvent, p: ProjectRow, ts: number): void {
    const d = obj(e.data);
    const cov = coverageOf(d.coverage);
    const ok = d.kind === 'test' ? runOk(d) : null;
    if (ok === null) {
      if (cov !== null) this.s.run!.run(ts, e.seq, p.id, 0, null, null, cov);
      return;
    }
    this.rollups.add(p.id, 'testRuns', ts, 1);
    if (!ok) this.rollups.add(p.id, 'testFailures', ts, 1);
    const ms = num(d.durationMs);
    if (ms !== null) this.rollups.bin(p.id, 'testMs', ts, ms);
    this.s.run!.run(ts, e.seq, p.id, 1, ok ? 1 : 0, ms, cov);
    this.outcomes(p.id, ts, e.seq, strings(d.failingTests), d.failingTestsTruncated === true, ok ? 0 : num(d.failed));
  }

  /** `test-monitor.report.parsed`: failing tests and coverage of a report file. */
  report(e: StoredEvent, p: ProjectRow, ts: number): void {
    const d = obj(e.data);
    const cov = coverageOf(d.coverage);
    if (cov !== null) this.s.run!.run(ts, e.seq, p.id, 0, null, null, cov);
    const counts = obj(d.counts);
    const names = strings(d.failingTests);
    if (!names.length && num(counts.total) === null) return; // a coverage-only report says nothing about tests
    this.outcomes(p.id, ts, e.seq, names, d.failingTestsTruncated === true, num(counts.failed));
  }

  /** `test-monitor.build.finished`. */
  build(e: StoredEvent, p: ProjectRow, ts: number): void {
    const d = obj(e.data);
    const ok = runOk(d);
    if (ok === null) return;
    this.rollups.add(p.id, 'buildRuns', ts, 1);
    if (!ok) this.rollups.add(p.id, 'buildFailures', ts, 1);
    const ms = num(d.durationMs);
    this.s.run!.run(ts, e.seq, p.id, 2, ok ? 1 : 0, ms, null);
    if (ms === null) return;
    this.rollups.add(p.id, 'buildMs', ts, ms);
    this.rollups.bin(p.id, 'buildMs', ts, ms);
  }

  /** `ai-monitor.session.updated` / `.ended`: totals are cumulative, so only growth counts. */
  aiSession(e: StoredEvent, p: ProjectRow, ts: number): void {
    const d = obj(e.data);
    const id = str(d.sessionId, 200);
    if (!id) return;
    const key = `${str(d.tool, 50) ?? '?'}:${id}`;
    const tok = obj(d.tokens);
    const active = num(d.activeMs) ?? 0;
    const tokens = (num(tok.input) ?? 0) + (num(tok.output) ?? 0);
    let seen = this.sessions.get(key);
    if (!seen) {
      const row = this.s.session!.get(key) as { active_ms: number; tokens: number } | undefined;
      if (row) this.sessions.set(key, (seen = { active: row.active_ms, tokens: row.tokens, dirty: false }));
    }
    const dMs = Math.max(0, active - (seen?.active ?? 0));
    const dTok = Math.max(0, tokens - (seen?.tokens ?? 0));
    if (seen && !dMs && !dTok) return;
    this.sessions.set(key, { active: Math.max(active, seen?.active ?? 0), tokens: Math.max(tokens, seen?.tokens ?? 0), dirty: true });
    this.rollups.add(p.id, 'aiSessionMs', ts, dMs);
    this.rollups.add(p.id, 'aiTokens', ts, dTok);
  }

  /** End of a batch: write the AI session totals that changed. */
  end(): void {
    for (const [key, v] of this.sessions) {
      if (v.dirty) this.s.setSession!.run(key, v.active, v.tokens);
      v.dirty = false;
    }
    if (this.sessions.size > MAX_SESSIONS) this.sessions.clear(); // all written: read again when seen
  }

  /** Drop the caches (the tables may have changed behind them). */
  forget(): void {
    this.sessions.clear();
    this.failingNames.clear();
  }

  /** The project's failing test names (cached for the batch, kept in step with the table). */
  private failingOf(project: number): Set<string> {
    let names = this.failingNames.get(project);
    if (!names) this.failingNames.set(project, (names = new Set((this.s.failing!.all(project) as { name: string }[]).map((r) => r.name))));
    return names;
  }

  /**
   * Pass/fail state per test name. A listed test is failing; when the list is complete (not cut,
   * and the failed count is known and no larger), every other test known to be failing passed. Each change of
   * state after the first failure is a flip.
   */
  private outcomes(project: number, ts: number, seq: number, failing: readonly string[], truncated: boolean, failed: number | null): void {
    const listed = new Set(failing);
    const known = this.failingOf(project);
    for (const name of listed) {
      if (known.has(name)) continue;
      const st = this.s.state!.get(project, name) as { failing: number } | undefined;
      this.s.setState!.run(project, name, 1);
      known.add(name);
      if (st) this.s.flip!.run(ts, seq, name, project);
    }
    const complete = !truncated && failed !== null && failed <= listed.size;
    if (!complete) return;
    for (const name of known) {
      if (listed.has(name)) continue;
      this.s.setState!.run(project, name, 0);
      this.s.flip!.run(ts, seq, name, project);
      known.delete(name);
    }
  }
}
