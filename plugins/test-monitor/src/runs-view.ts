import type { EventLogReader, StoredEvent } from '@devflow/plugin-sdk';
import type { RunFinished } from './events.js';
import { RUN_KINDS, type RunKind } from './types.js';

export const RUN_EVENT = 'test-monitor.run.finished';
/** Failing test names shown per run in tool output (the event keeps up to `maxFailingTests`). */
export const NAMES_PER_RUN = 10;
/** Events one call examines at most, so a rare filter cannot turn into a scan of the whole log. */
export const MAX_SCANNED = 2000;

export interface RecentRunsQuery {
  since?: number;
  project?: string;
  kind?: RunKind;
  failedOnly?: boolean;
  limit: number;
  cursor?: number;
}

export interface RunView {
  seq: number;
  id: string;
  time: string;
  command: string;
  kind: RunKind;
  runner: string | null;
  exitCode: number;
  ok: boolean;
  durationMs: number;
  passed: number | null;
  failed: number | null;
  skipped: number | null;
  failingTests: string[];
  /** Failing tests recorded beyond those shown (plus any the recording itself left out). */
  moreFailingTests: number;
  coverage: RunFinished['coverage'];
  project: string | null;
  branch: string | null;
}


function view(e: StoredEvent): RunView {
  const d = e.data as unknown as Partial<RunFinished>;
  const names = Array.isArray(d.failingTests) ? d.failingTests : [];
  const failed = typeof d.failed === 'number' ? d.failed : null;
  return {
    seq: e.seq,
    id: e.id,
    time: new Date(e.ts).toISOString(),
    command: String(d.command ?? ''),
    kind: (RUN_KINDS as readonly string[]).includes(String(d.kind)) ? (d.kind as RunKind) : 'other',
    runner: d.runner ?? null,
    exitCode: typeof d.exitCode === 'number' ? d.exitCode : -1,
    ok: d.ok === true,
    durationMs: typeof d.durationMs === 'number' ? d.durationMs : 0,
    passed: typeof d.passed === 'number' ? d.passed : null,
    failed,
    skipped: typeof d.skipped === 'number' ? d.skipped : null,
    failingTests: names.slice(0, NAMES_PER_RUN),
    moreFailingTests: Math.max(names.length - NAMES_PER_RUN, (failed ?? 0) - Math.min(names.length, NAMES_PER_RUN), 0),
    coverage: d.coverage ?? null,
    project: e.project,
    branch: d.branch ?? null,
  };
}

/**
 * Recorded runs, newest first, filtered, one bounded page; `next` continues after the last
 * event examined (null at the end of the log).
 *
 * @example
 * ```ts
 * const page = recentRuns(ctx.storage.events, { kind: 'test', failedOnly: true, limit: 10 });
 * ```
 */
export function recentRuns(reader: EventLogReader, q: RecentRunsQuery): { runs: RunView[]; next: number | null } {
  const runs: RunView[] = [];
  let after = q.cursor;
  let scanned = 0;
  for (;;) {
    const page = reader.query({
      types: [RUN_EVENT],
      descending: true,
      limit: Math.min(200, MAX_SCANNED - scanned),
      ...(q.project !== undefined ? { project: q.project } : {}),
      ...(q.since !== undefined ? { since: q.since } : {}),
      ...(after !== undefined ? { after } : {}),
    });
    for (const e of page.events) {
      scanned++;
      after = e.seq;
      const d = e.data as unknown as Partial<RunFinished>;
      if (q.kind && d.kind !== q.kind) continue;
      if (q.failedOnly && d.ok === true) continue;
      runs.push(view(e));
      if (runs.length >= q.limit) {
        const more = page.next !== null || page.events.indexOf(e) < page.events.length - 1;
        return { runs, next: more ? e.seq : null };
      }
    }
    if (page.next === null) return { runs, next: null };
    if (scanned >= MAX_SCANNED) return { runs, next: after ?? null };
  }
}
