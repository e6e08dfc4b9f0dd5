// From config to working parts: the layered rule sets (with their problems), the tuning in ms, the
// projection's event types and a version that changes whenever rules or tuning change.
import type { StageAnalyzerConfig } from './config.js';
import { DEFAULT_RULES } from './default-rules.js';
import type { FoldOptions, RuleSets } from './fold.js';
import { buildRuleSet, type CompiledRule, type RuleLayer, type RuleProblem } from './rules.js';

/** Bump when the fold's meaning changes (the config hash covers rules and tuning). */
export const FOLD_VERSION = 2;
const MINUTE_MS = 60_000;

export interface Setup {
  rules: RuleSets;
  problems: RuleProblem[];
  options: FoldOptions;
  types: string[];
  version: number;
}

/** FNV-1a, 32 bits: a stable fingerprint of the config. */
function fingerprint(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function setup(c: StageAnalyzerConfig): Setup {
  const base: RuleLayer[] = [
    ...(c.defaultRules ? [{ where: 'defaults', rules: DEFAULT_RULES }] : []),
    { where: 'rules', rules: c.rules as unknown[], disable: c.disable },
  ];
  const global = buildRuleSet(base);
  const problems = [...global.problems];
  const byProject = new Map<string, readonly CompiledRule[]>();
  for (const [project, p] of Object.entries(c.projects ?? {})) {
    const set = buildRuleSet([...base, { where: `projects["${project}"].rules`, rules: (p.rules ?? []) as unknown[], disable: p.disable ?? [] }]);
    // The global layers' problems were reported once already.
    problems.push(...set.problems.slice(global.problems.length));
    byProject.set(project, set.rules);
  }
  const types = new Set<string>();
  for (const set of [global.rules, ...byProject.values()]) for (const r of set) for (const t of r.types) types.add(t);
  const options: FoldOptions = {
    windowMs: c.windowMinutes * MINUTE_MS,
    halfLifeMs: c.halfLifeMinutes * MINUTE_MS,
    minDwellMs: c.minDwellMinutes * MINUTE_MS,
    minScore: c.minScore,
    minConfidence: c.minConfidence,
    subStageShare: c.subStageShare,
    maxFutureMs: c.maxFutureSkewMinutes * MINUTE_MS,
  };
  const hash = fingerprint(JSON.stringify({ defaults: c.defaultRules ? DEFAULT_RULES : [], c }));
  return { rules: { global: global.rules, byProject }, problems, options, types: [...types].sort(), version: FOLD_VERSION * 1_000_000 + (hash % 999_983) + 1 };
}
