// notifications_rules (list / enable / disable / test) and notifications_recent.
import { parseSince, type PluginContext } from '@devflow/plugin-sdk';
import type { ChannelRegistry } from './channels/registry.js';
import type { Dispatcher, NotifyResult } from './dispatcher.js';
import type { RuleEngine } from './engine.js';
import type { RuleProblem } from './rules.js';
import type { NotificationStore } from './store.js';

export interface ToolDeps {
  engine: RuleEngine;
  dispatcher: Dispatcher;
  channels: ChannelRegistry;
  store: NotificationStore;
  problems: readonly RuleProblem[];
  now: () => number;
}

const NAME = { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]*$', maxLength: 64 } as const;
const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
const cut = (s: string | null, n = 200) => (s && s.length > n ? `${s.slice(0, n - 1)}…` : s);

function resultView(r: NotifyResult) {
  return { delivered: r.channels, outcome: r.outcome, suppressed: cut(r.suppressed ?? null, 500), results: r.results.map((x) => ({ ...x, reason: cut(x.reason ?? null) })) };
}

export function rulesView(d: ToolDeps) {
  const overrides = d.store.overrides();
  const states = d.store.states();
  const rules = d.engine.rules.map((r) => {
    const mine = states.filter((s) => s.rule === r.name);
    const o = overrides.get(r.name);
    const pending = mine.map((s) => s.pending_since).filter((x): x is number => x !== null && !mine.find((m) => m.pending_since === x)?.firing);
    return {
      name: r.name,
      enabled: o?.enabled ?? r.enabledByConfig,
      enabledBy: o ? 'override' : r.origin === 'default' ? 'default' : 'config',
      description: r.description,
      on: r.schedule ? ['schedule'] : r.patterns,
      filter: r.source.filter,
      when: r.source.when,
      holdMinutes: r.holdMs / 60_000,
      severity: r.severity,
      channels: r.channels,
      cooldownMinutes: r.cooldownMs / 60_000,
      fired: mine.reduce((n, s) => n + s.fired, 0),
      suppressed: mine.reduce((n, s) => n + s.suppressed, 0),
      lastFiredAt: iso(Math.max(0, ...mine.map((s) => s.last_fired_at ?? 0)) || null),
      lastSuppressedReason: cut(mine.sort((a, b) => (b.last_suppressed_at ?? 0) - (a.last_suppressed_at ?? 0))[0]?.last_reason ?? null),
      pendingSince: iso(pending.length ? Math.min(...pending) : null),
      evalErrors: mine.reduce((n, s) => n + s.eval_errors, 0),
      lastError: cut(mine.find((s) => s.last_error)?.last_error ?? null),
    };
  });
  const channels = d.channels.names().map((name) => {
    const c = d.channels.config(name)!;
    const ch = d.channels.get(name);
    const avail = 'missing' in ch ? { ok: false as const, reason: ch.missing } : ch.availability();
    return {
      name,
      type: c.type,
      available: avail.ok,
      reason: avail.ok ? null : cut(avail.reason),
      target: 'missing' in ch ? null : ch.target,
      minSeverity: c.minSeverity ?? 'info',
      quietHours: c.quietHours ? `${c.quietHours.start}–${c.quietHours.end}${c.quietHours.timezone ? ` ${c.quietHours.timezone}` : ''} (${c.quietHours.mode ?? 'digest'})` : null,
      ratePerHour: c.ratePerHour ?? 30,
      held: d.store.heldCount(name),
      rateLimited: d.store.rateSummaries().find((s) => s.channel === name)?.suppressed ?? 0,
    };
  });
  return { rules, invalid: d.problems.map((p) => ({ rule: p.rule, code: p.code, message: cut(p.message, 400) })), channels };
}

export function registerTools(ctx: PluginContext, d: ToolDeps): void {
  ctx.tools.register(
    {
      name: 'notifications_rules',
      title: 'Notification rules and channels',
      group: 'notifications',
      description:
        'Notification rules (shipped and configured) with their state — enabled, last fired, fired/suppressed counts, pending holds, evaluation errors — plus invalid rules and every channel with its availability. action "list" (default) reads; "enable"/"disable" a rule (persists across restarts, wins over the config file); "test" sends a test notification for a rule or to one channel (skips dedup, quiet hours and rate limits). enable/disable/test need notifications:write.',
      permission: 'notifications:read',
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          action: { enum: ['list', 'enable', 'disable', 'test'], default: 'list' },
          rule: { ...NAME, description: 'Rule name (enable, disable, test).' },
          channel: { ...NAME, description: 'Channel name (test a channel instead of a rule).' },
        },
      },
      outputSchema: {
        type: 'object',
        properties: {
          action: { type: 'string' },
          changed: { type: ['object', 'null'] },
          test: { type: ['object', 'null'] },
          rules: { type: 'array', items: { type: 'object' } },
          invalid: { type: 'array', items: { type: 'object' } },
          channels: { type: 'array', items: { type: 'object' } },
        },
        required: ['action', 'rules', 'invalid', 'channels'],
      },
    },
    async (args, call) => {
      const action = args.action;
      let changed: Record<string, unknown> | null = null;
      let test: Record<string, unknown> | null = null;
      if (action !== 'list') ctx.rbac.assert(call.principal, 'notifications:write');
      if (action === 'enable' || action === 'disable') {
        if (!args.rule) throw new Error(`action "${action}" needs "rule"; list the rules to see their names`);
        const rule = d.engine.rule(args.rule);
        if (!rule) {
          const bad = d.problems.find((p) => p.rule === args.rule);
          throw new Error(bad ? `rule "${args.rule}" is invalid and cannot be ${action}d: ${bad.message}` : `no rule named "${args.rule}"; known: ${d.engine.rules.map((r) => r.name).join(', ')}`);
        }
        d.store.setOverride(rule.name, action === 'enable', d.now(), call.principal.id);
        changed = { rule: rule.name, enabled: action === 'enable' };
      } else if (action === 'test') {
        if (!args.rule === !args.channel) throw new Error('action "test" needs exactly one of "rule" or "channel"');
        if (args.rule) {
          const rule = d.engine.rule(args.rule);
          if (!rule) throw new Error(`no valid rule named "${args.rule}"; known: ${d.engine.rules.map((r) => r.name).join(', ')}`);
          const vars = { rule: rule.name, type: rule.patterns[0] ?? 'schedule', project: null, projectName: 'test-project', severity: rule.severity, data: {} };
          test = { rule: rule.name, ...resultView(await d.engine.fire(rule, vars, null, true)) };
        } else {
          const channel = args.channel as string;
          const r = await d.dispatcher.notify({ title: 'DevFlow test notification', body: `Sent by ${call.principal.id} with notifications_rules to check channel "${channel}".`, severity: 'info', channels: [channel], source: 'notifications', key: `test|${channel}`, test: true });
          test = { channel, ...resultView(r) };
        }
      }
      return { action, changed, test, ...rulesView(d) };
    },
  );

  ctx.tools.register(
    {
      name: 'notifications_recent',
      title: 'Recent notifications',
      group: 'notifications',
      description:
        'Notifications recently sent, held for a quiet-hours digest, deduplicated, rate-limited or failed, newest first: time, rule (null for notify() from another plugin), title, severity, project, outcome, the channels that delivered and why others did not. Filter by since ("24h", "7d", ISO), rule and outcome.',
      permission: 'notifications:read',
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          since: { type: 'string', maxLength: 64, default: '7d', description: 'ISO time, epoch ms, or a duration back from now such as "24h".' },
          rule: NAME,
          outcome: { enum: ['delivered', 'partial', 'failed', 'deduplicated', 'suppressed', 'held'] },
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
        },
      },
      outputSchema: {
        type: 'object',
        properties: { notifications: { type: 'array', items: { type: 'object' } }, truncated: { type: 'boolean' }, note: { type: ['string', 'null'] } },
        required: ['notifications', 'truncated'],
      },
    },
    (args) => {
      const since = parseSince(args.since, d.now());
      if (since === undefined) throw new Error(`since "${args.since}" is not an ISO time, epoch ms or a duration like "24h"`);
      const rows = d.store.recent(since, args.rule ?? null, args.outcome ?? null, args.limit + 1);
      const notifications = rows.slice(0, args.limit).map((r) => ({
        time: iso(r.ts),
        rule: r.rule,
        source: r.source,
        title: cut(r.title),
        severity: r.severity,
        project: r.project,
        key: cut(r.key, 120),
        outcome: r.outcome,
        delivered: r.delivered ? r.delivered.split(',') : [],
        channels: (JSON.parse(r.detail) as { channel: string; status: string; reason?: string }[]).map((c) => ({ channel: c.channel, status: c.status, ...(c.reason ? { reason: c.reason } : {}) })),
      }));
      return { notifications, truncated: rows.length > args.limit, note: notifications.length ? null : `no notifications since ${iso(since)}` };
    },
  );
}
