// The fold's matcher: `matchEvent` with its per-event work memoized. Pure: the answers are exactly
// `matchEvent`'s (a unit test compares them); only the cost differs.
//
// Most events are single-file changes, and with the usual rules a file event's signals depend only
// on its path and the project's context. So for each rule set the rules that can match each type
// are picked once, and for single-path types whose rules look at nothing but paths, every path's
// glob answers for all those rules are computed once and kept (bounded memo per project).
import type { CompiledRule } from './rules.js';
import { describe, matchEvent, normalizePath, type EventLike, type MatchContext, type Signal } from './signals.js';

/** The payload field holding the one path of single-path event types (as `eventPaths` reads them). */
const SINGLE_PATH: Readonly<Record<string, string>> = { 'file-monitor.file.changed': 'path', 'file-monitor.file.renamed': 'to' };
/** Paths a project's memo keeps before it starts over (the same files change again and again). */
const MEMO_MAX = 8192;
const MAX_DETAIL = 120;

interface PathHits {
  /** The path as rules see it (detail of the signals). */
  path: string;
  /** Per rule of the type's list: does the path count for its pathGlobs. */
  hits: Uint8Array;
}

interface TypeRules {
  rules: readonly CompiledRule[];
  /** Set when the type has one path and these rules test nothing in the payload but paths. */
  field: string | null;
  /** Per project: raw path → hits. */
  memo: Map<string, Map<string, PathHits>>;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const pathOnly = (r: CompiledRule) => !r.commitTypes && !r.tag && !r.subject && r.fields.length === 0 && r.notFields.length === 0;
const cut = (s: string) => (s.length > MAX_DETAIL ? `${s.slice(0, MAX_DETAIL - 1)}…` : s);

export class RuleMatcher {
  private readonly byType = new Map<string, TypeRules>();

  constructor(private readonly rules: readonly CompiledRule[]) {}

  private forType(type: string): TypeRules {
    let t = this.byType.get(type);
    if (!t) {
      const rules = this.rules.filter((r) => r.matchesType(type));
      const field = SINGLE_PATH[type] ?? null;
      t = { rules, field: field !== null && rules.every(pathOnly) ? field : null, memo: new Map() };
      if (this.byType.size < 1000) this.byType.set(type, t);
    }
    return t;
  }

  /** The same signals as `matchEvent(e, rules, ctx)`. */
  match(e: EventLike, ctx: MatchContext): Signal[] {
    const t = this.forType(e.type);
    if (t.field === null) return matchEvent(e, t.rules, ctx);
    const raw = isObj(e.data) ? e.data[t.field] : undefined;
    const hits = typeof raw === 'string' && raw.length > 0 && raw.length <= 4096 ? this.hits(t, e.project, raw) : null;
    const out: Signal[] = [];
    let described: string | undefined;
    for (let i = 0; i < t.rules.length; i++) {
      const r = t.rules[i] as CompiledRule;
      if (r.afterStages && (ctx.currentStage === null || !r.afterStages.has(ctx.currentStage))) continue;
      if (r.quietMs !== null && (ctx.prevClock === null || e.ts - ctx.prevClock < r.quietMs)) continue;
      if (r.withStage) {
        const last = ctx.lastSignalAt(r.withStage.stage);
        if (last === null || Math.abs(e.ts - last) > r.withStage.withinMs) continue;
      }
      if (r.pathMatch) {
        if (!hits || !hits.hits[i]) continue;
        out.push({ rule: r.name, stage: r.stage, subStage: r.subStage, weight: r.weight, detail: cut(hits.path) });
      } else out.push({ rule: r.name, stage: r.stage, subStage: r.subStage, weight: r.weight, detail: (described ??= describe(e.type, e.data)) });
    }
    return out;
  }

  private hits(t: TypeRules, project: string | null, raw: string): PathHits {
    const key = project ?? '';
    let memo = t.memo.get(key);
    if (!memo) {
      if (t.memo.size >= 256) t.memo.clear();
      t.memo.set(key, (memo = new Map()));
    }
    let h = memo.get(raw);
    if (!h) {
      const path = normalizePath(raw, project);
      h = { path, hits: Uint8Array.from(t.rules, (r) => (r.pathMatch?.(path) ? 1 : 0)) };
      if (memo.size >= MEMO_MAX) memo.clear();
      memo.set(raw, h);
    }
    return h;
  }
}
