import { definePlugin } from '@devflow/plugin-sdk';
import { systemChannelEnv } from './channel-env.js';
import { ChannelRegistry } from './channels/registry.js';
import type { ChannelEnv, ChannelFactory, NotifySeverity } from './channels/types.js';
import { checkChannels } from './check-channels.js';
import { configSchema, type NotificationsConfig } from './config.js';
import { Dispatcher, type NotifyInput, type NotifyResult } from './dispatcher.js';
import { RuleEngine, type MetricsApi } from './engine.js';
import { compileRules } from './rules.js';
import { migrations, NotificationStore } from './store.js';
import { registerTools, rulesView } from './tools.js';

declare module '@devflow/plugin-sdk' {
  interface DevflowEventMap {
    'notifications.notification.sent': { rule: string | null; channel: string; key: string; severity: NotifySeverity; title: string; kind: string; deduplicated: false };
  }
}

/**
 * What other plugins pass to `notify` (contracts.md): the dispatcher's input without its internal
 * fields (rule, cooldown, test). `channels`: channel names; default the config's `defaultChannels`.
 */
export type Notification = Pick<NotifyInput, 'title' | 'body' | 'severity' | 'project' | 'key' | 'source' | 'attachments' | 'channels'>;

export interface NotificationsApi {
  /** Send through the pipeline (dedup, quiet hours, rate limits) in this process; says which channels delivered or why not. */
  notify(n: Notification): Promise<NotifyResult>;
  /** Add a channel type (e.g. the Slack integration's bot channel); returns a function that removes it. */
  registerChannelType(type: string, factory: ChannelFactory): () => void;
  /** Rules with their state, invalid rules and channels (what notifications_rules lists). */
  rules(): ReturnType<typeof rulesView>;
}

const SEVERITIES = ['info', 'warn', 'error'];
const HOUR = 3_600_000;

/**
 * Rules on events and metrics (filtrex conditions, hold times, severity, templates) that notify
 * through channels (log, desktop, webhook, Slack) with deduplication, rate limits and quiet hours.
 * Rules are evaluated only in the process holding the monitor lease, from the committed log.
 */
export default definePlugin({
  id: 'notifications',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: 'Rules on events and metrics with hold times, deduplication, rate limits and quiet hours, delivered to log, desktop, webhook and Slack channels.',
  optionalDependencies: { metrics: '^1.0.0' },
  permissions: ['notifications:read', 'notifications:write'],
  config: configSchema,
  migrations,
  start(ctx): NotificationsApi {
    const c = ctx.config as unknown as NotificationsConfig;
    const now = () => Date.now();
    const store = new NotificationStore(ctx.storage.db);
    const env: ChannelEnv = systemChannelEnv((level, obj, msg) => ctx.logger[level](obj, msg));
    const { channels: channelConfigs, problems: channelProblems } = checkChannels(c.channels, env.env);
    for (const p of channelProblems) ctx.logger.error({ code: p.code, plugin: ctx.id, channel: p.channel }, `[notifications] ${p.code}: ${p.message}`);
    const channels = new ChannelRegistry(channelConfigs, env);
    const { rules, problems } = compileRules(c.rules, { defaultRules: c.defaultRules, defaultChannels: c.defaultChannels, cooldownMinutes: c.cooldownMinutes, hasChannel: (n) => channels.has(n) });
    for (const p of problems) ctx.logger.error({ code: p.code, plugin: ctx.id, rule: p.rule }, `[notifications] ${p.code}: ${p.message}`);

    const warn = (obj: Record<string, unknown>, msg: string) => ctx.logger.warn({ plugin: ctx.id, ...obj }, msg);
    const dispatcher = new Dispatcher({
      store,
      channels,
      now,
      defaultChannels: c.defaultChannels,
      defaultCooldownMs: c.cooldownMinutes * 60_000,
      warn,
      onDelivered: (m, channel) =>
        void ctx.events.emit('notifications.notification.sent', { rule: m.rule, channel, key: m.key, severity: m.severity, title: m.title, kind: m.kind, deduplicated: false }, { project: m.project }),
    });
    const metrics = ctx.use('metrics', { optional: true }) as MetricsApi | undefined;
    const engine = new RuleEngine({ store, dispatcher, rules, now, metrics: () => metrics, projects: () => ctx.projects, events: ctx.storage.events, maxEventAgeMs: c.maxEventAgeMinutes * 60_000, warn });
    const tools = { engine, dispatcher, channels, store, problems: [...channelProblems.map((p) => ({ code: 'NOTIFY_ERR_RULE_INVALID' as const, rule: `channel:${p.channel}`, message: p.message })), ...problems], now };
    registerTools(ctx, tools);

    // Only the lease holder evaluates rules, so two processes never send the same alert twice.
    ctx.lease.whileHeld((signal) => {
      const report = (what: string) => (e: unknown) => ctx.logger.error({ plugin: ctx.id, err: (e as Error).message }, `notifications: ${what} failed: ${(e as Error).message}`);
      const drain = () => (signal.aborted ? undefined : ctx.track(engine.drain()).catch(report('reading new events')));
      let queued = false;
      const kick = ctx.hooks.tap('eventStored', () => {
        if (queued) return;
        queued = true;
        ctx.scheduler.after(0, () => {
          queued = false;
          return drain();
        });
      });
      let lastPrune = 0;
      const poll = ctx.scheduler.every(c.pollSeconds * 1000, drain, { immediate: true });
      const tick = ctx.scheduler.every(c.evaluateEverySeconds * 1000, async () => {
        await engine.tick().catch(report('the rule schedule'));
        await dispatcher.flush(signal).catch(report('digests and summaries'));
        if (now() - lastPrune > HOUR) {
          lastPrune = now();
          store.prune(now() - c.keepDays * 86_400_000, now() - 7 * 86_400_000);
        }
      });
      return () => {
        kick.dispose();
        poll.dispose();
        tick.dispose();
      };
    });

    return {
      async notify(n) {
        if (!n || typeof n.title !== 'string' || !n.title.trim()) throw new TypeError('notify(n): n.title must be a non-empty string');
        if (!SEVERITIES.includes(n.severity)) throw new TypeError(`notify(n): n.severity must be one of ${SEVERITIES.join(', ')} (got ${JSON.stringify(n.severity)})`);
        return dispatcher.notify({
          title: n.title.slice(0, 300),
          severity: n.severity,
          ...(typeof n.body === 'string' ? { body: n.body.slice(0, 4000) } : {}),
          project: n.project ?? null,
          ...(n.key ? { key: String(n.key).slice(0, 300) } : {}),
          source: n.source ?? 'api',
          ...(Array.isArray(n.attachments) ? { attachments: n.attachments.slice(0, 10) } : {}),
          ...(n.channels ? { channels: n.channels } : {}),
        }, ctx.signal);
      },
      registerChannelType: (type, factory) => channels.registerType(type, factory),
      rules: () => rulesView(tools),
    };
  },
});
