/** The terminal dashboard's data model: what the collector gathers and the renderers draw. */

export type View = 'activity' | 'performance' | 'errors';
export const VIEWS: readonly View[] = ['activity', 'performance', 'errors'];
export const VIEW_TITLES: Readonly<Record<View, string>> = { activity: 'Activity', performance: 'Performance', errors: 'Errors' };

/** Plugin states that are not a problem (standby: waits for the monitor lease another process holds). */
export const GOOD_STATES: ReadonlySet<string> = new Set(['started', 'standby', 'disabled']);

/** How a line is shown on a colour terminal; plain output ignores it. */
export type Style = 'title' | 'tab' | 'section' | 'dim' | 'ok' | 'warn' | 'error';

export interface Line {
  readonly text: string;
  readonly style?: Style | undefined;
}

export interface RenderOptions {
  readonly view: View;
  /** Terminal columns; every line is cut to this width. */
  readonly width: number;
  /** Terminal rows; Infinity for a plain frame (nothing is cut for height). */
  readonly height: number;
  /** Interactive (keys in the footer) or a one-shot plain frame. */
  readonly live: boolean;
  readonly intervalMs: number;
  /** Clock times in the local zone (default) or UTC (tests). */
  readonly tz?: 'local' | 'utc';
}

/** One event as a line of the dashboard. */
export interface EventLine {
  readonly seq: number;
  readonly ts: number;
  readonly type: string;
  readonly project: string | null;
  readonly severity: string;
  readonly summary: string;
}

export interface ContextInfo {
  readonly project: string | null;
  readonly branch: string | null;
  readonly task: string | null;
  readonly stage: { name: string; subStage: string | null; since: number | null; confidence: number | null } | null;
  readonly onTask: { since: number; forMs: number; activeMs: number } | null;
  readonly tests: { state: 'red' | 'green' | 'none'; since: number | null; runs: number; failing: readonly string[]; lastRunAt: number | null } | null;
  readonly bottlenecks: { open: number; top: readonly string[] } | null;
  readonly note: string | null;
}

export interface LastRun {
  readonly command: string;
  readonly kind: string;
  readonly ok: boolean;
  readonly at: number;
  readonly durationMs: number | null;
  readonly passed: number | null;
  readonly failed: number | null;
}

export interface AiToday {
  readonly sessions: number;
  readonly activeMinutes: number;
  readonly prompts: number;
  readonly tokensIn: number;
  readonly tokensOut: number;
  readonly toolCalls: number;
}

export interface ToolStat {
  readonly tool: string;
  readonly calls: number;
  readonly errors: number;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly max: number | null;
}

export interface PluginRow {
  readonly id: string;
  readonly version: string | null;
  readonly state: string;
  readonly reason: string | null;
  readonly lastError: string | null;
  readonly tools: number;
}

export interface LogLine {
  readonly ts: number;
  readonly level: 'warn' | 'error' | 'fatal';
  readonly plugin: string | null;
  readonly text: string;
}

export interface DashboardState {
  readonly now: number;
  readonly version: string;
  readonly pid: number;
  /** The process running the monitors (lease holder), if any. */
  readonly monitors: { readonly holder: string | null; readonly expiresAt: number | null };
  readonly activity: {
    readonly context: ContextInfo | null;
    readonly lastRun: LastRun | null;
    readonly ai: AiToday | null;
    /** Why a part is missing (a plugin not running, a tool failing). */
    readonly notes: readonly string[];
    readonly recent: readonly EventLine[];
  };
  readonly performance: {
    /** Events per second from the log's max seq over the last seconds; null until two samples. */
    readonly ratePerSec: number | null;
    readonly rateWindowMs: number;
    /** Events with a timestamp in the last minute. */
    readonly lastMinute: number;
    readonly headSeq: number;
    readonly database: { readonly path: string; readonly sizeBytes: number | null; readonly events: number };
    readonly queue: { readonly pending: number; readonly projectionLag: number; readonly projectionsBehind: number; readonly outboxUnsynced: number; readonly outboxCapped: boolean };
    readonly memory: { readonly rss: number; readonly heapUsed: number; readonly heapTotal: number; readonly external: number };
    readonly uptimeMs: number;
    readonly tools: readonly ToolStat[];
    readonly toolWindow: { readonly calls: number; readonly since: number | null };
    readonly plugins: readonly PluginRow[];
  };
  readonly errors: {
    readonly plugins: readonly PluginRow[];
    readonly projections: readonly { plugin: string; name: string; error: string }[];
    readonly events: readonly EventLine[];
    /** How far back the warn/error search looked (events). */
    readonly scanned: number;
    readonly log: readonly LogLine[];
  };
}
