// Rules as data: merge the shipped rules with the config, validate, compile expressions. A bad
// rule becomes a problem naming it; the others keep working.
import type { NotifySeverity } from './channels/types.js';
import { DEFAULT_RULES, type RuleConfig } from './config.js';
import { compileCondition, ExpressionError, type Compiled } from './expression.js';

export interface CompiledRule {
  name: string;
  description: string | null;
  /** Event patterns, or empty for a schedule rule. */
  patterns: string[];
  schedule: boolean;
  filter: Compiled | null;
  when: Compiled | null;
  source: { filter: string | null; when: string | null };
  holdMs: number;
  severity: NotifySeverity;
  title: string;
  body: string;
  channels: string[];
  dedupKey: string;
  cooldownMs: number;
  /** Enabled by the config or the shipped default (a tool override may change it). */
  enabledByConfig: boolean;
  origin: 'default' | 'config' | 'default+config';
}

export interface RuleProblem {
  code: 'NOTIFY_ERR_RULE_INVALID' | 'NOTIFY_ERR_CHANNEL_UNKNOWN';
  rule: string;
  message: string;
}

const PATTERN = /^(\*|[a-z0-9-]+(\.[a-z0-9-]+)*(\.\*)?)$/;

/** Whether an event type matches a pattern: exact, `prefix.*`, or `*`. */
export function matchesPattern(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

export interface CompileOptions {
  defaultRules: boolean;
  defaultChannels: readonly string[];
  cooldownMinutes: number;
  hasChannel: (name: string) => boolean;
}

/** The effective rule list: shipped rules (unless off) with config rules merged over them by name. */
export function mergeRules(config: readonly RuleConfig[], withDefaults: boolean): { rule: RuleConfig; origin: CompiledRule['origin'] }[] {
  const out = new Map<string, { rule: RuleConfig; origin: CompiledRule['origin'] }>();
  if (withDefaults) for (const r of DEFAULT_RULES) out.set(r.name, { rule: r, origin: 'default' });
  for (const r of config) {
    const base = out.get(r.name);
    out.set(r.name, base && base.origin === 'default' ? { rule: { ...base.rule, ...r }, origin: 'default+config' } : { rule: r, origin: 'config' });
  }
  return [...out.values()];
}

function compileExpr(rule: string, field: 'filter' | 'when', expr: string | undefined): Compiled | null {
  if (expr === undefined) return null;
  try {
    return compileCondition(expr);
  } catch (e) {
    const col = e instanceof ExpressionError ? e.column : null;
    throw new Error(`${field} expression ${JSON.stringify(expr)} is invalid: ${(e as Error).message}${col === null ? '' : ` (column ${col})`}. Fix the expression (filtrex syntax: and, or, not, ==, <, data.field, metric("testFailures", "1h"))`);
  }
}

/** Compile every rule; invalid ones are left out and reported, unknown channels reported and skipped. */
export function compileRules(config: readonly RuleConfig[], o: CompileOptions): { rules: CompiledRule[]; problems: RuleProblem[] } {
  const rules: CompiledRule[] = [];
  const problems: RuleProblem[] = [];
  const seen = new Set<string>();
  for (const r of config) {
    if (seen.has(r.name)) problems.push({ code: 'NOTIFY_ERR_RULE_INVALID', rule: r.name, message: `rule "${r.name}" is defined twice in the config; the last one is used` });
    seen.add(r.name);
  }
  for (const { rule: r, origin } of mergeRules(config, o.defaultRules)) {
    try {
      const on = r.on === undefined ? [] : Array.isArray(r.on) ? r.on : [r.on];
      if (!on.length) throw new Error('it has no "on" (event types such as "test-monitor.run.finished", prefixes "a.*", or "schedule")');
      if (!r.title) throw new Error('it has no "title"');
      const schedule = on.includes('schedule');
      if (schedule && on.length > 1) throw new Error('"on": "schedule" cannot be combined with event types');
      const bad = on.find((p) => p !== 'schedule' && !PATTERN.test(p));
      if (bad) throw new Error(`"on" pattern "${bad}" is not an event type, a prefix ending in ".*", or "*"`);
      if (schedule && !r.when) throw new Error('a schedule rule needs a "when" condition, e.g. metric("testFailures", "1h") > 5');
      const filter = compileExpr(r.name, 'filter', r.filter);
      const when = compileExpr(r.name, 'when', r.when);
      const wanted = r.channels ?? [...o.defaultChannels];
      const channels = wanted.filter((c) => o.hasChannel(c));
      for (const c of wanted.filter((c) => !o.hasChannel(c))) {
        problems.push({ code: 'NOTIFY_ERR_CHANNEL_UNKNOWN', rule: r.name, message: `rule "${r.name}" names channel "${c}", which is not configured; add it under "channels" or remove it from the rule (the rule uses its other channels)` });
      }
      rules.push({
        name: r.name,
        description: r.description ?? null,
        patterns: schedule ? [] : on,
        schedule,
        filter,
        when,
        source: { filter: r.filter ?? null, when: r.when ?? null },
        holdMs: (r.holdMinutes ?? 0) * 60_000,
        severity: r.severity ?? 'warn',
        title: r.title,
        body: r.body ?? '',
        channels,
        dedupKey: r.dedupKey ?? '{rule}|{project}',
        cooldownMs: (r.cooldownMinutes ?? o.cooldownMinutes) * 60_000,
        enabledByConfig: r.enabled ?? true,
        origin,
      });
    } catch (e) {
      problems.push({ code: 'NOTIFY_ERR_RULE_INVALID', rule: r.name, message: `rule "${r.name}" is not used: ${(e as Error).message}` });
    }
  }
  return { rules, problems };
}
