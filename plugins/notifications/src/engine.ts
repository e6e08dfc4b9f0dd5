// The rules engine: evaluates rules on committed events (read from the log after a persisted
// cursor) and on a schedule (holds, schedule rules), and fires notifications through the
// dispatcher. Runs in the lease holder only; all state it needs lives in the plugin's tables.
import { basename } from 'node:path';
import type { EventLogReader, StoredEvent } from '@devflow/plugin-sdk';
import type { Dispatcher, NotifyResult } from './dispatcher.js';
import type { EvalScope } from './expression.js';
import { matchesPattern, type CompiledRule } from './rules.js';
import type { NotificationStore } from './store.js';
import { render } from './template.js';

/** The part of the metrics plugin's API the engine uses (contracts.md). */
export interface MetricsApi {
  value(metric: string, q: { project?: string | null; windowMs: number; now?: number }): number;
}

export interface EngineDeps {
  store: NotificationStore;
  dispatcher: Dispatcher;
  rules: readonly CompiledRule[];
  now: () => number;
  metrics: () => MetricsApi | undefined;
  projects: () => readonly string[];
  events: EventLogReader;
  maxEventAgeMs: number;
  warn: (obj: Record<string, unknown>, msg: string) => void;
}

type Verdict = 'skip' | boolean | { error: string };
const CURSOR = 'events';
const PAGE = 500;

/** What templates and expressions see for an event. */
export function eventVars(e: Pick<StoredEvent, 'type' | 'source' | 'project' | 'severity' | 'ts' | 'data' | 'id'>, rule: string): Record<string, unknown> {
  return {
    rule,
    id: e.id,
    type: e.type,
    source: e.source,
    project: e.project,
    projectName: e.project ? basename(e.project) : '',
    severity: e.severity,
    ts: e.ts,
    time: Number.isFinite(e.ts) ? new Date(e.ts).toISOString() : '',
    data: e.data && typeof e.data === 'object' ? e.data : {},
  };
}

export class RuleEngine {
  private readonly byName: Map<string, CompiledRule>;
  private readonly warned = new Set<string>();
  private draining: Promise<void> | null = null;
  private again = false;

  constructor(private readonly d: EngineDeps) {
    this.byName = new Map(d.rules.map((r) => [r.name, r]));
  }

  get rules(): readonly CompiledRule[] {
    return this.d.rules;
  }

  rule(name: string): CompiledRule | undefined {
    return this.byName.get(name);
  }

  /** Enabled rules: a tool override wins over the config (read from the table: other processes may change it). */
  enabledRules(): CompiledRule[] {
    const o = this.d.store.overrides();
    return this.d.rules.filter((r) => o.get(r.name)?.enabled ?? r.enabledByConfig);
  }

  private evaluate(rule: CompiledRule, vars: Record<string, unknown>, project: string | null): Verdict {
    const scope: EvalScope = {
      vars,
      metric: (metric, windowMs) => {
        const m = this.d.metrics();
        if (!m) throw new Error('metric() needs the metrics plugin, which is not running');
        const v = m.value(metric, { project, windowMs, now: this.d.now() });
        return typeof v === 'number' && Number.isFinite(v) ? v : 0;
      },
    };
    if (rule.filter) {
      const f = rule.filter(scope);
      if (!f.ok) return { error: `filter: ${f.error}` };
      if (!f.value) return 'skip';
    }
    if (!rule.when) return true;
    const w = rule.when(scope);
    return w.ok ? w.value : { error: `when: ${w.error}` };
  }

  /** Apply a verdict to a rule's state for one scope; resolves once a fired notification went out. */
  private async decide(rule: CompiledRule, verdict: Verdict, vars: Record<string, unknown>, project: string | null, eventId: string | null): Promise<NotifyResult | undefined> {
    const scope = project ?? '';
    if (verdict === 'skip') return undefined;
    if (typeof verdict === 'object') {
      this.d.store.countError(rule.name, scope, verdict.error);
      if (!this.warned.has(rule.name)) {
        this.warned.add(rule.name);
        this.d.warn({ code: 'NOTIFY_ERR_RULE_EVAL', rule: rule.name }, `notifications: rule "${rule.name}" could not be evaluated: ${verdict.error} (counted in notifications_rules; logged once)`);
      }
      return undefined;
    }
    const now = this.d.now();
    if (!verdict) {
      if (rule.holdMs > 0 || rule.schedule) this.d.store.clearPending(rule.name, scope);
      return undefined;
    }
    if (rule.holdMs <= 0 && !rule.schedule) return this.fire(rule, vars, project);
    const st = this.d.store.state(rule.name, scope);
    if (st.firing) return undefined; // fired already while the condition holds
    const since = st.pending_since ?? now;
    this.d.store.setPending(rule.name, scope, since, eventId ?? st.pending_event);
    if (now - since < rule.holdMs) return undefined;
    this.d.store.markFiring(rule.name, scope);
    return this.fire(rule, vars, project);
  }

  async fire(rule: CompiledRule, vars: Record<string, unknown>, project: string | null, test = false): Promise<NotifyResult> {
    const r = await this.d.dispatcher.notify({
      title: render(rule.title, vars) || rule.name,
      body: render(rule.body, vars),
      severity: rule.severity,
      project,
      key: render(rule.dedupKey, vars) || rule.name,
      source: 'notifications',
      rule: rule.name,
      cooldownMs: rule.cooldownMs,
      channels: rule.channels,
      ...(test ? { test: true } : {}),
    });
    if (test) return r;
    const scope = project ?? '';
    if (r.outcome === 'deduplicated' || r.outcome === 'suppressed') this.d.store.countSuppressed(rule.name, scope, this.d.now(), r.suppressed ?? r.outcome);
    else this.d.store.countFired(rule.name, scope, this.d.now());
    return r;
  }

  /** Evaluate the enabled rules on events (in order); resolves when their notifications went out. */
  async handle(events: readonly StoredEvent[]): Promise<void> {
    const rules = this.enabledRules().filter((r) => !r.schedule);
    const sends: Promise<unknown>[] = [];
    const oldest = this.d.now() - this.d.maxEventAgeMs;
    for (const e of events) {
      if (e.source === 'notifications') continue; // never alert on our own events: no feedback loops
      if (!(e.ts >= oldest)) continue; // stale (caught up after downtime) or no time: never alert on old news
      for (const rule of rules) {
        if (!rule.patterns.some((p) => matchesPattern(p, e.type))) continue;
        const vars = eventVars(e, rule.name);
        const p = this.decide(rule, this.evaluate(rule, vars, e.project), vars, e.project, e.id);
        sends.push(p);
      }
    }
    await Promise.all(sends);
  }

  /** Read committed events after the cursor and handle them; on first run start at the head (history never alerts). */
  drain(): Promise<void> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = (async () => {
      try {
        do {
          this.again = false;
          await this.drainOnce();
        } while (this.again);
      } finally {
        this.draining = null;
      }
    })();
    return this.draining;
  }

  private async drainOnce(): Promise<void> {
    let cursor = this.d.store.cursor(CURSOR);
    if (cursor === undefined) {
      this.d.store.setCursor(CURSOR, this.d.events.query({ descending: true, limit: 1 }).events[0]?.seq ?? 0, this.d.now());
      return;
    }
    const patterns = [...new Set(this.enabledRules().flatMap((r) => r.patterns))];
    for (;;) {
      const page = this.d.events.query({ ...(patterns.includes('*') ? {} : { types: patterns.length ? patterns : ['notifications.none.matched'] }), after: cursor, limit: PAGE });
      const last = page.events[page.events.length - 1];
      if (!last) return;
      cursor = last.seq;
      const work = this.handle(page.events); // decisions (and dedup claims) are made synchronously…
      this.d.store.setCursor(CURSOR, cursor, this.d.now()); // …so the cursor moves before sending: at most once
      await work;
      if (page.next === null) return;
    }
  }

  /** The schedule: holds that came due, and schedule rules per project. */
  async tick(): Promise<void> {
    const now = this.d.now();
    const enabled = new Map(this.enabledRules().map((r) => [r.name, r]));
    const sends: Promise<unknown>[] = [];
    for (const st of this.d.store.pendingStates()) {
      const rule = enabled.get(st.rule);
      if (!rule) {
        this.d.store.clearPending(st.rule, st.scope);
        continue;
      }
      if (rule.schedule || st.pending_since === null || now - st.pending_since < rule.holdMs) continue;
      const project = st.scope || null;
      const e = st.pending_event ? this.d.events.get(st.pending_event) : undefined;
      // The event that started the hold is re-read to evaluate again (metrics change); if it is gone, the last verdict (true) stands.
      const vars = e ? eventVars(e, rule.name) : { rule: rule.name, project, projectName: project ? basename(project) : '', data: {} };
      sends.push(this.decide(rule, e ? this.evaluate(rule, vars, project) : true, vars, project, null));
    }
    const projects = this.d.projects().length ? [...this.d.projects()] : [null];
    for (const rule of enabled.values()) {
      if (!rule.schedule) continue;
      for (const project of projects) {
        const vars = { rule: rule.name, type: 'schedule', project, projectName: project ? basename(project) : '', severity: 'info', ts: now, time: new Date(now).toISOString(), data: {} };
        sends.push(this.decide(rule, this.evaluate(rule, vars, project), vars, project, null));
      }
    }
    await Promise.all(sends);
  }
}
