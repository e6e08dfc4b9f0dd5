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

export class TestsFold {
  private readonly s: Record<string, SqlStatement>;

  constructor(db: SqlDatabase, private readonly rollups: Rollups) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      run: p('INSERT OR IGNORE INTO metrics__test_run (project, ts, seq, ok) VALUES (?, ?, ?, ?)'),
      state: p('SELECT failing FROM metrics__test_state WHERE project = ? AND name = ?'),
      setState: p('INSERT INTO metrics__test_state (project, name, failing) VALUES (?, ?, ?) ON CONFLICT (project, name) DO UPDATE SET failing = excluded.failing'),
      failing: p('SELECT name FROM metrics__test_state WHERE project = ? AND failing = 1'),
      flip: p('INSERT OR IGNORE INTO metrics__flip (project, ts, seq, name) VALUES (?, ?, ?, ?)'),
      coverage: p('INSERT OR REPLACE INTO metrics__coverage (project, ts, pct) VALUES (?, ?, ?)'),
      session: p('SELECT active_ms, tokens FROM metrics__ai_session WHERE key = ?'),
      setSession: p('INSERT OR REPLACE INTO metrics__ai_session (key, active_ms, tokens) VALUES (?, ?, ?)'),
    };
  }

  /** `test-monitor.run.finished`: test runs count; every kind may carry coverage. */
  run(e: StoredEvent, p: ProjectRow, ts: number): void {
    const d = obj(e.data);
    const cov = coverageOf(d.coverage);
    if (cov !== null) this.s.coverage!.run(p.id, ts, cov);
    if (d.kind !== 'test') return;
    const ok = runOk(d);
    if (ok === null) return;
    this.rollups.add(p.id, 'testRuns', ts, 1);
    if (!ok) this.rollups.add(p.id, 'testFailures', ts, 1);
    const ms = num(d.durationMs);
    if (ms !== null) this.rollups.sample(p.id, 'testMs', ts, ms);
    this.s.run!.run(p.id, ts, e.seq, ok ? 1 : 0);
    this.outcomes(p.id, ts, e.seq, strings(d.failingTests), d.failingTestsTruncated === true, ok ? 0 : num(d.failed));
  }

  /** `test-monitor.report.parsed`: failing tests and coverage of a report file. */
  report(e: StoredEvent, p: ProjectRow, ts: number): void {
    const d = obj(e.data);
    const cov = coverageOf(d.coverage);
    if (cov !== null) this.s.coverage!.run(p.id, ts, cov);
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
    if (ms === null) return;
    this.rollups.add(p.id, 'buildMs', ts, ms);
    this.rollups.sample(p.id, 'buildMs', ts, ms);
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
    const seen = this.s.session!.get(key) as { active_ms: number; tokens: number } | undefined;
    const dMs = Math.max(0, active - (seen?.active_ms ?? 0));
    const dTok = Math.max(0, tokens - (seen?.tokens ?? 0));
    if (seen && !dMs && !dTok) return;
    this.s.setSession!.run(key, Math.max(active, seen?.active_ms ?? 0), Math.max(tokens, seen?.tokens ?? 0));
    this.rollups.add(p.id, 'aiSessionMs', ts, dMs);
    this.rollups.add(p.id, 'aiTokens', ts, dTok);
  }

  /**
   * Pass/fail state per test name. A listed test is failing; when the list is complete (not cut,
   * and the failed count is known and no larger), every other test known to be failing passed. Each change of
   * state after the first failure is a flip.
   */
  private outcomes(project: number, ts: number, seq: number, failing: readonly string[], truncated: boolean, failed: number | null): void {
    const listed = new Set(failing);
    for (const name of listed) {
      const st = this.s.state!.get(project, name) as { failing: number } | undefined;
      if (st?.failing === 1) continue;
      this.s.setState!.run(project, name, 1);
      if (st) this.s.flip!.run(project, ts, seq, name);
    }
    const complete = !truncated && failed !== null && failed <= listed.size;
    if (!complete) return;
    for (const { name } of this.s.failing!.all(project) as { name: string }[]) {
      if (listed.has(name)) continue;
      this.s.setState!.run(project, name, 0);
      this.s.flip!.run(project, ts, seq, name);
    }
  }
}
