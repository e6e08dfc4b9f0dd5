// An engine on the real SQLite file of a test kernel, with a clock the test moves.
import { createTestKernel } from '@devflow/core/testing';
import { definePlugin, type EventLogReader, type SqlDatabase, type StoredEvent } from '@devflow/plugin-sdk';
import notifications, { ChannelRegistry, compileRules, Dispatcher, NotificationStore, RuleEngine, type ChannelConfig, type ChannelEnv, type MetricsApi, type RuleConfig } from '../src/index.js';

/** Hands the shared database connection and the log reader to the test. */
const probe = definePlugin({ id: 'db-probe', version: '1.0.0', kernel: '^1.0.0', start: (ctx) => ({ db: ctx.storage.db, events: ctx.storage.events }) });

export interface Sent {
  channel: string;
  title: string;
  kind: string;
  severity: string;
  items?: number;
}

export async function engineHarness(t: { after(fn: () => unknown): void }, o: { rules: RuleConfig[]; channels?: Record<string, ChannelConfig>; metrics?: MetricsApi; start: number; env?: Partial<ChannelEnv>; projects?: string[] }) {
  // The plugin runs (its migrations make the tables) with no rules, so it never competes with this engine.
  const tk = await createTestKernel({ plugins: [notifications, probe], config: { plugins: { notifications: { config: { defaultRules: false, rules: [] } } } }, t });
  const { db, events } = tk.use(probe) as { db: SqlDatabase; events: EventLogReader };
  let clock = o.start;
  const now = () => clock;
  const sent: Sent[] = [];
  const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
  const memory = (name: string) => ({ name, type: 'memory', target: 'memory', availability: () => ({ ok: true as const }), send: async (m: { title: string; kind: string; severity: string; items?: unknown[] }) => (sent.push({ channel: name, title: m.title, kind: m.kind, severity: m.severity, ...(m.items ? { items: m.items.length } : {}) }), { ok: true as const, attempts: 1 }) });
  const env: ChannelEnv = { env: {}, platform: 'linux', fetch, sleep: async () => {}, run: async () => ({ code: 0 }), exists: () => false, log: () => {}, ...o.env };
  const channels = new ChannelRegistry({ log: { type: 'memory' }, ...o.channels }, env);
  channels.registerType('memory', memory);
  const store = new NotificationStore(db);
  const warn = (obj: Record<string, unknown>, msg: string) => void warnings.push({ obj, msg });
  const dispatcher = new Dispatcher({ store, channels, now, defaultChannels: ['log'], defaultCooldownMs: 30 * 60_000, warn });
  const { rules, problems } = compileRules(o.rules, { defaultRules: false, defaultChannels: ['log'], cooldownMinutes: 30, hasChannel: (n) => channels.has(n) });
  const engine = new RuleEngine({ store, dispatcher, rules, now, metrics: () => o.metrics, projects: () => o.projects ?? ['/p/app'], events, maxEventAgeMs: 3_600_000, warn });
  let n = 0;
  const event = (type: string, data: Record<string, unknown>, project: string | null = '/p/app'): StoredEvent => ({ id: `ev-${++n}`, seq: n, type, source: type.split('.')[0] as string, project, ts: clock, severity: 'info', data });
  return {
    tk,
    store,
    engine,
    dispatcher,
    channels,
    problems,
    sent,
    warnings,
    event,
    advance: (ms: number) => void (clock += ms),
    set: (ms: number) => void (clock = ms),
    now,
  };
}
