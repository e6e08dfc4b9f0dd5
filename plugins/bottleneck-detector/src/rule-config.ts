// The rule catalog and the validation of rule settings: shipped defaults, overridden in config
// (`rules`) and per project (`projects.<path>.<rule>`). A bad rule is reported by name and disabled;
// the other rules keep working. Pure: no kernel imports.

export type Severity = 'info' | 'warn' | 'error';
export const SEVERITIES: readonly Severity[] = ['info', 'warn', 'error'];
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

export const RULE_IDS = ['long-lived-branch', 'red-tests', 'flaky-test', 'slow-build', 'slow-tests', 'hot-file', 'long-stage', 'wip-spread', 'review-wait'] as const;
export type RuleId = (typeof RULE_IDS)[number];

interface Param {
  default: number;
  min: number;
  max: number;
  integer?: boolean;
  /** What it means, for error messages. */
  what: string;
}

const anomaly = (kind: string): Record<string, Param> => ({
  maxMs: { default: 0, min: 0, max: 86_400_000, integer: true, what: `a ${kind}'s daily mean duration (ms) above which it is slow regardless of history (0: off)` },
  zThreshold: { default: 3.5, min: 1, max: 100, what: 'robust z-score from which a day counts as an anomaly' },
  minHistoryDays: { default: 7, min: 3, max: 365, integer: true, what: 'days with data needed before the anomaly check alerts' },
  historyDays: { default: 28, min: 3, max: 365, integer: true, what: 'days of history compared with' },
  minIncrease: { default: 0.25, min: 0, max: 100, what: 'smallest relative increase over the median that may alert (0.25 = +25%)' },
});

/** Every rule with its default severity and numeric thresholds. */
export const RULES: Readonly<Record<RuleId, { severity: Severity; params: Record<string, Param> }>> = {
  'long-lived-branch': {
    severity: 'warn',
    params: {
      branchMaxDays: { default: 14, min: 0.01, max: 3650, what: 'days a branch may live unmerged' },
      abandonedDays: { default: 60, min: 1, max: 3650, what: 'days without a commit after which a branch counts as abandoned and is not reported' },
    },
  },
  'red-tests': { severity: 'error', params: { redMaxMinutes: { default: 120, min: 1, max: 525_600, what: 'minutes tests may stay red across runs' } } },
  'flaky-test': {
    severity: 'warn',
    params: {
      minFlips: { default: 3, min: 1, max: 99, integer: true, what: 'pass/fail alternations that make a test flaky' },
      lastRuns: { default: 10, min: 2, max: 100, integer: true, what: 'how many recent runs of a test are looked at' },
    },
  },
  'slow-build': { severity: 'warn', params: anomaly('build') },
  'slow-tests': { severity: 'warn', params: anomaly('test run') },
  'hot-file': {
    severity: 'info',
    params: {
      windowDays: { default: 14, min: 1, max: 365, integer: true, what: 'days of commits counted' },
      minCommits: { default: 8, min: 2, max: 100_000, integer: true, what: 'commits touching the file within the window' },
      minLines: { default: 400, min: 0, max: 1e9, integer: true, what: 'lines added + removed in the file within the window' },
    },
  },
  'long-stage': { severity: 'warn', params: { maxDays: { default: 14, min: 0.01, max: 3650, what: 'days a project may stay in one stage (per stage: `stages`)' } } },
  'wip-spread': {
    severity: 'info',
    params: {
      activeDays: { default: 7, min: 1, max: 365, integer: true, what: 'days within which a branch with a commit counts as active' },
      maxBranches: { default: 5, min: 1, max: 1000, integer: true, what: 'active unmerged branches allowed at once' },
    },
  },
  'review-wait': { severity: 'warn', params: { maxHours: { default: 24, min: 0.1, max: 8760, what: 'hours a requested review may wait' } } },
};

/** A rule's effective settings in one project. */
export interface RuleSettings {
  rule: RuleId;
  severity: Severity;
  params: Readonly<Record<string, number>>;
  /** long-stage only: days per stage id. */
  stages: Readonly<Record<string, number>>;
}

export interface RuleProblem {
  rule: string;
  project: string | null;
  message: string;
}

/** Enabled rules by id (a disabled or invalid rule is absent). */
export type RuleSet = ReadonlyMap<RuleId, RuleSettings>;

export interface ResolvedRules {
  base: RuleSet;
  projects: ReadonlyMap<string, RuleSet>;
  problems: readonly RuleProblem[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Merge `raw` over `start`; null (with problems pushed) when the rule is invalid, 'off' when disabled. */
function merge(rule: RuleId, start: RuleSettings, raw: unknown, where: string, problems: string[]): RuleSettings | 'off' | null {
  if (!isObj(raw)) {
    problems.push(`${where} must be an object like { "enabled": true, "severity": "warn", ... }`);
    return null;
  }
  const spec = RULES[rule];
  const params: Record<string, number> = { ...start.params };
  let stages: Record<string, number> = { ...start.stages };
  let severity = start.severity;
  let enabled = true;
  let bad = false;
  const fail = (m: string) => ((bad = true), problems.push(m));
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'enabled') {
      if (typeof v !== 'boolean') fail(`${where}.enabled must be true or false`);
      else enabled = v;
    } else if (k === 'severity') {
      if (!SEVERITIES.includes(v as Severity)) fail(`${where}.severity must be one of info, warn, error (got ${JSON.stringify(v)})`);
      else severity = v as Severity;
    } else if (k === 'stages' && rule === 'long-stage') {
      if (!isObj(v)) fail(`${where}.stages must map stage ids to days, e.g. { "coding": 21 }`);
      else
        for (const [stage, d] of Object.entries(v)) {
          if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0 || d > 3650) fail(`${where}.stages.${stage} must be a number of days in (0, 3650] (got ${JSON.stringify(d)})`);
          else stages = { ...stages, [stage]: d };
        }
    } else {
      const p = spec.params[k];
      if (!p) {
        fail(`${where} has no setting "${k}"; known: enabled, severity, ${Object.keys(spec.params).join(', ')}${rule === 'long-stage' ? ', stages' : ''}`);
        continue;
      }
      if (typeof v !== 'number' || !Number.isFinite(v) || v < p.min || v > p.max || (p.integer && !Number.isInteger(v))) {
        fail(`${where}.${k} (${p.what}) must be ${p.integer ? 'an integer' : 'a number'} from ${p.min} to ${p.max} (got ${JSON.stringify(v)})`);
      } else params[k] = v;
    }
  }
  if (rule === 'flaky-test' && (params.minFlips ?? 0) >= (params.lastRuns ?? 0)) fail(`${where}.minFlips must be less than lastRuns (${params.minFlips} >= ${params.lastRuns})`);
  if ((rule === 'slow-build' || rule === 'slow-tests') && (params.minHistoryDays ?? 0) > (params.historyDays ?? 0)) fail(`${where}.minHistoryDays must not exceed historyDays`);
  if (bad) return null;
  return enabled ? { rule, severity, params, stages } : 'off';
}

function defaults(rule: RuleId): RuleSettings {
  const spec = RULES[rule];
  return { rule, severity: spec.severity, params: Object.fromEntries(Object.entries(spec.params).map(([k, p]) => [k, p.default])), stages: {} };
}

/**
 * Resolve the configured rules: defaults, then `rules`, then each project's overrides. Unknown rule
 * names and bad settings become problems naming the rule (and project); such a rule is disabled
 * where it is bad and everything else keeps working.
 *
 * @example
 * ```ts
 * const r = resolveRules({ 'red-tests': { redMaxMinutes: 30 } }, { '/repo/app': { 'wip-spread': { enabled: false } } });
 * r.base.get('red-tests')?.params.redMaxMinutes; // 30
 * ```
 */
export function resolveRules(rules: unknown, projects: unknown): ResolvedRules {
  const problems: RuleProblem[] = [];
  const apply = (from: RuleSet, raw: unknown, project: string | null, prefix: string): Map<RuleId, RuleSettings> => {
    const out = new Map(from);
    if (raw === undefined || raw === null) return out;
    if (!isObj(raw)) {
      problems.push({ rule: '*', project, message: `${prefix} must be an object of rule settings` });
      return out;
    }
    for (const [name, value] of Object.entries(raw)) {
      if (!(RULE_IDS as readonly string[]).includes(name)) {
        problems.push({ rule: name, project, message: `${prefix}: unknown rule "${name}"; known rules: ${RULE_IDS.join(', ')}` });
        continue;
      }
      const rule = name as RuleId;
      const msgs: string[] = [];
      const merged = merge(rule, from.get(rule) ?? defaults(rule), value, `${prefix}.${rule}`, msgs);
      if (merged === null) {
        out.delete(rule);
        for (const m of msgs) problems.push({ rule, project, message: `${m}; the rule is disabled${project ? ' in this project' : ''}, the other rules keep working` });
      } else if (merged === 'off') out.delete(rule);
      else out.set(rule, merged);
    }
    return out;
  };
  const all = new Map(RULE_IDS.map((r) => [r, defaults(r)] as const));
  const base = apply(all, rules, null, 'rules');
  const perProject = new Map<string, RuleSet>();
  if (projects !== undefined && projects !== null) {
    if (!isObj(projects)) problems.push({ rule: '*', project: null, message: 'projects must map project paths to rule settings' });
    else for (const [p, raw] of Object.entries(projects)) perProject.set(p, apply(base, raw, p, `projects["${p}"]`));
  }
  return { base, projects: perProject, problems };
}

/** The settings of `rule` in `project` (null when disabled or invalid there). */
export function settingsFor(r: ResolvedRules, project: string, rule: RuleId): RuleSettings | null {
  return (r.projects.get(project) ?? r.base).get(rule) ?? null;
}

/** A stable 31-bit hash of the resolved rules (and extra settings): the projection's version. */
export function rulesHash(r: ResolvedRules, extra: unknown): number {
  // Code-unit order, not localeCompare: the same on every machine whatever its locale, and no ICU
  // collator to set up at start (~20 ms of `devflow mcp`'s cold start).
  const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);
  const view = (s: RuleSet) => [...s.entries()].sort(byKey);
  const text = JSON.stringify([view(r.base), [...r.projects.entries()].sort(byKey).map(([p, s]) => [p, view(s)]), extra]);
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return ((h >>> 1) % 2_000_000_000) + 1;
}
