/**
 * Gathers the dashboard's state from a kernel opened on the shared database (like `devflow call`):
 * the kernel status, the event log's end, the audit log, and the analyzers' tools called as the
 * local user. Each part fails on its own: a missing plugin or a failing tool becomes a note, not a crash.
 */
import type Database from 'better-sqlite3';
import type { Principal } from '@devflow/plugin-sdk';
import type { Kernel } from '../kernel.js';
import { messageOf } from '../errors.js';
import { EventTail } from './event-tail.js';
import type { LogRing } from './log-ring.js';
import { GOOD_STATES, type AiToday, type ContextInfo, type DashboardState, type LastRun, type PluginRow } from './model.js';
import { RateSampler, toolStats } from './stats.js';

/**
 * The analyzers' answers are audited tool calls: asked again when the log moved, but at most every
 * TOOL_MIN_MS (and at least every TOOL_REFRESH_MS, for answers that age, like "today"); `r` asks at once.
 */
export const TOOL_MIN_MS = 5_000;
export const TOOL_REFRESH_MS = 30_000;
/** Audited tool calls the latency table is computed from. */
const AUDIT_WINDOW = 1000;
const OUTBOX_CAP = 100_000;

type Activity = DashboardState['activity'];
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
const numOr = (v: unknown, d: number | null = null) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const strOr = (v: unknown) => (typeof v === 'string' ? v : null);

export interface CollectorOptions {
  /** Who the tool calls run as: the local user's role, with an id that marks them as the dashboard's. */
  readonly principal: Principal;
  readonly logs: LogRing;
  readonly now?: () => number;
}

export class Collector {
  private readonly sampler = new RateSampler();
  private readonly tail: EventTail;
  private readonly outbox: Database.Statement;
  private activity: Activity = { context: null, lastRun: null, ai: null, notes: [], recent: [] };
  private toolsAt = -Infinity;
  private toolsSeq = -1;
  private readonly problems = new Map<string, string>();
  private readonly now: () => number;

  constructor(
    private readonly kernel: Kernel,
    private readonly options: CollectorOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.tail = new EventTail(kernel.db, kernel.events);
    this.outbox = kernel.db.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM outbox WHERE synced_at IS NULL LIMIT ${OUTBOX_CAP + 1})`);
  }

  /** A fresh state; `force` re-asks the analyzers' tools even when the log has not moved. */
  async collect(force = false): Promise<DashboardState> {
    const now = this.now();
    const status = this.kernel.status();
    const head = this.part('event log head', () => this.tail.headSeq(), 0);
    this.sampler.add(now, head);
    this.part('newest events', () => this.tail.update(head), undefined);
    const age = now - this.toolsAt;
    if (force || (age >= TOOL_MIN_MS && (head !== this.toolsSeq || age >= TOOL_REFRESH_MS))) {
      this.activity = { ...(await this.askTools(now)), recent: [] };
      this.toolsAt = now;
      this.toolsSeq = head;
    }
    const holder = status.lease.holder && status.lease.expiresAt && status.lease.expiresAt > now ? status.lease.holder : null;
    const plugins: PluginRow[] = status.plugins.map((p) => ({ id: p.id, version: p.version, state: p.state, reason: p.reason, lastError: p.lastError, tools: p.tools.length }));
    const projections = this.kernel.projections.list();
    const behind = projections.filter((p) => p.state === 'catching-up');
    const outbox = this.part('outbox', () => (this.outbox.get() as { n: number }).n, 0);
    const calls = this.part('audit log', () => this.kernel.audit.query({ action: 'tool:call', limit: AUDIT_WINDOW }).filter((r) => r.principal !== this.options.principal.id), []);
    const lastMinute = this.part('event count of the last minute', () => this.kernel.events.count({ since: now - 60_000 }), 0);
    const warnings = this.tail.warningsAndErrors();
    const mem = process.memoryUsage();
    return {
      now,
      version: status.version,
      pid: status.pid,
      monitors: { holder, expiresAt: holder ? status.lease.expiresAt : null },
      activity: { ...this.activity, recent: this.tail.activity() },
      performance: {
        ratePerSec: this.sampler.rate(),
        rateWindowMs: this.sampler.span(),
        lastMinute,
        headSeq: head,
        database: status.database,
        queue: { pending: status.ingest.pending, projectionLag: behind.reduce((n, p) => n + p.lag, 0), projectionsBehind: behind.length, outboxUnsynced: Math.min(outbox, OUTBOX_CAP), outboxCapped: outbox > OUTBOX_CAP },
        memory: { rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external },
        uptimeMs: status.uptimeMs,
        tools: toolStats(calls),
        toolWindow: { calls: calls.length, since: calls.length ? (calls[calls.length - 1] as { ts: number }).ts : null },
        plugins,
      },
      errors: {
        plugins: plugins.filter((p) => !GOOD_STATES.has(p.state) || p.lastError),
        projections: projections.filter((p) => p.state === 'failed').map((p) => ({ plugin: p.plugin, name: p.name, error: p.error ?? 'failed' })),
        events: warnings.events,
        scanned: warnings.scanned,
        log: [...[...this.problems].map(([what, msg]) => ({ ts: now, level: 'error' as const, plugin: null, text: `the dashboard could not read the ${what}: ${msg}` })), ...this.options.logs.list()],
      },
    };
  }

  /** Run one read; a failure is remembered for the errors view and `fallback` used. */
  private part<T>(what: string, read: () => T, fallback: T): T {
    try {
      const v = read();
      this.problems.delete(what);
      return v;
    } catch (e) {
      this.problems.set(what, messageOf(e));
      return fallback;
    }
  }

  private async call(name: string, args: Record<string, unknown>, notes: string[]): Promise<Record<string, unknown> | null> {
    try {
      const r = await this.kernel.callTool(name, args, this.options.principal);
      if (r.ok) return obj(r.value);
      notes.push(r.error.code === 'KRN_ERR_TOOL_NOT_FOUND' ? `${name} is not available (its plugin is not running)` : `${name}: ${r.error.code}: ${r.error.message}`);
    } catch (e) {
      notes.push(`${name}: ${messageOf(e)}`);
    }
    return null;
  }

  private async askTools(now: number): Promise<Omit<Activity, 'recent'>> {
    const notes: string[] = [];
    const midnight = new Date(now);
    midnight.setHours(0, 0, 0, 0);
    const [ctx, runs, ai] = await Promise.all([
      this.call('devflow_context', {}, notes),
      this.call('tests_recent_runs', { limit: 1 }, notes),
      this.call('ai_sessions_summary', { since: midnight.toISOString(), topTools: 1 }, notes),
    ]);
    let context = ctx ? contextOf(ctx) : null;
    if (!context) {
      const stage = await this.call('stage_current', {}, notes);
      if (stage && strOr(stage.stage)) context = stageOnly(stage);
    }
    return { context, lastRun: lastRunOf(runs), ai: aiOf(ai), notes };
  }
}

function contextOf(v: Record<string, unknown>): ContextInfo {
  const st = obj(v.stage);
  const t = obj(v.tests);
  const on = obj(v.onTask);
  const b = obj(v.bottlenecks);
  return {
    project: strOr(v.project),
    branch: strOr(v.branch),
    task: strOr(v.task),
    stage: strOr(st.name) ? { name: st.name as string, subStage: strOr(st.subStage), since: numOr(st.since), confidence: numOr(st.confidence) } : null,
    onTask: v.onTask ? { since: numOr(on.since, 0) as number, forMs: numOr(on.forMs, 0) as number, activeMs: numOr(on.activeMs, 0) as number } : null,
    tests: strOr(t.state) ? { state: t.state as 'red', since: numOr(t.since), runs: numOr(t.runs, 0) as number, failing: Array.isArray(t.failing) ? t.failing.filter((x): x is string => typeof x === 'string') : [], lastRunAt: numOr(t.lastRunAt) } : null,
    bottlenecks: v.bottlenecks ? { open: numOr(b.open, 0) as number, top: Array.isArray(b.top) ? b.top.filter((x): x is string => typeof x === 'string') : [] } : null,
    note: strOr(v.note),
  };
}

/** The stage alone, from stage_current, when devflow_context (task-timeline) is not there. */
function stageOnly(v: Record<string, unknown>): ContextInfo {
  const since = strOr(v.since) ? Date.parse(v.since as string) : NaN;
  return {
    project: strOr(v.project),
    branch: null,
    task: null,
    stage: { name: v.stage as string, subStage: strOr(v.subStage), since: Number.isFinite(since) ? since : null, confidence: numOr(v.confidence) },
    onTask: null,
    tests: null,
    bottlenecks: null,
    note: strOr(v.note),
  };
}

function lastRunOf(v: Record<string, unknown> | null): LastRun | null {
  const r = Array.isArray(v?.runs) ? obj(v.runs[0]) : null;
  if (!r || !strOr(r.command)) return null;
  const at = Date.parse(strOr(r.time) ?? '');
  return { command: r.command as string, kind: strOr(r.kind) ?? 'test', ok: r.ok === true, at: Number.isFinite(at) ? at : 0, durationMs: numOr(r.durationMs), passed: numOr(r.passed), failed: numOr(r.failed) };
}

function aiOf(v: Record<string, unknown> | null): AiToday | null {
  if (!v) return null;
  const t = obj(v.totals);
  const tokens = obj(t.tokens);
  return { sessions: numOr(t.sessions, 0) as number, activeMinutes: numOr(t.activeMinutes, 0) as number, prompts: numOr(t.prompts, 0) as number, tokensIn: numOr(tokens.input, 0) as number, tokensOut: numOr(tokens.output, 0) as number, toolCalls: numOr(t.toolCalls, 0) as number };
}
