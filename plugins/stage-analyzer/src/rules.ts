// Stage rules are data: this module checks them (every problem names its rule) and compiles the
// valid ones into matchers. Plain module: no kernel imports.
import picomatch from 'picomatch';
import { SUB_STAGE_PARENT, isStage, isSubStage } from './stages.js';

export type Scalar = string | number | boolean | null;

/** What an event must look like for a rule to fire (all given conditions must hold). */
export interface RuleWhen {
  /** Event types: exact (`git-monitor.commit.created`) or a prefix (`system-monitor.*`). */
  types: string[];
  /** At least one of the event's paths matches one of these globs (picomatch, relative to the project, case-insensitive). */
  pathGlobs?: string[];
  /** Paths matching these do not count for `pathGlobs`. */
  notPathGlobs?: string[];
  /** The commit's Conventional Commit type is one of these. */
  commitTypes?: string[];
  /** Regular expression (case-insensitive) the tag name matches. */
  tagPattern?: string;
  /** Regular expression (case-insensitive) the commit subject matches. */
  subjectPattern?: string;
  /** Payload fields (dotted paths) equal to a value or one of a list. */
  fields?: Record<string, Scalar | Scalar[]>;
  /** Payload fields that must not equal the value(s). */
  notFields?: Record<string, Scalar | Scalar[]>;
  /** The project's current stage is one of these. */
  afterStages?: string[];
  /** The project had no event for at least this long before this one. */
  quietMinutes?: number;
  /** Another stage had a signal within the last `withinMinutes`. */
  withStage?: { stage: string; withinMinutes: number };
}

/** A stage rule as written in the defaults or the config. */
export interface StageRule {
  name: string;
  stage: string;
  subStage?: string;
  when: RuleWhen;
  /** Score one matching event adds (multi-path events add weight × share of matching paths). */
  weight: number;
  description?: string;
}

export interface CompiledRule {
  readonly name: string;
  readonly stage: string;
  readonly subStage: string | null;
  readonly weight: number;
  readonly types: readonly string[];
  readonly matchesType: (type: string) => boolean;
  /** Whether a path counts for `pathGlobs` (and not `notPathGlobs`); memoized per rule. Null: no path condition. */
  readonly pathMatch: ((p: string) => boolean) | null;
  readonly commitTypes: ReadonlySet<string> | null;
  readonly tag: RegExp | null;
  readonly subject: RegExp | null;
  readonly fields: readonly FieldTest[];
  readonly notFields: readonly FieldTest[];
  readonly afterStages: ReadonlySet<string> | null;
  readonly quietMs: number | null;
  readonly withStage: { stage: string; withinMs: number } | null;
}

export interface FieldTest {
  readonly path: readonly string[];
  readonly values: readonly Scalar[];
}

export interface RuleProblem {
  code: 'STAGE_ERR_RULE_INVALID' | 'STAGE_ERR_RULE_UNKNOWN';
  rule: string;
  message: string;
}

const WHEN_KEYS = new Set(['types', 'pathGlobs', 'notPathGlobs', 'commitTypes', 'tagPattern', 'subjectPattern', 'fields', 'notFields', 'afterStages', 'quietMinutes', 'withStage']);
const RULE_KEYS = new Set(['name', 'stage', 'subStage', 'when', 'weight', 'description']);
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const TYPE_RE = /^[a-z][a-z0-9-]*\.(\*|[a-z0-9-]+\.[a-z0-9-]+)$/;
const MINUTE_MS = 60_000;

/** Why a glob cannot work, or null. picomatch accepts nearly anything, so unbalanced groups are caught here. */
export function globProblem(g: unknown): string | null {
  if (typeof g !== 'string' || g.length === 0) return 'a glob must be a non-empty string';
  if (g.length > 500) return 'a glob must be at most 500 characters';
  if (g.startsWith('/')) return `glob "${g}" starts with "/": paths are relative to the project root; drop the leading "/" (or start with "**/")`;
  const open: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (let i = 0; i < g.length; i++) {
    const c = g[i] as string;
    if (c === '\\') { i++; continue; }
    if (c === '(' || c === '[' || c === '{') open.push(c);
    else if (c in pairs) {
      if (open.at(-1) !== pairs[c]) return `glob "${g}" has an unbalanced "${c}"`;
      open.pop();
    }
  }
  if (open.length) return `glob "${g}" has an unclosed "${open.at(-1)}"`;
  try {
    if (picomatch.makeRe(g).source === '$^') return `glob "${g}" can never match`;
  } catch (e) {
    return `glob "${g}": ${(e as Error).message}`;
  }
  return null;
}

/** Matches `x.y.z` exactly or `x.*` by prefix. */
export function typeMatcher(types: readonly string[]): (type: string) => boolean {
  const exact = new Set(types.filter((t) => !t.endsWith('.*')));
  const prefixes = types.filter((t) => t.endsWith('.*')).map((t) => t.slice(0, -1));
  return (type) => exact.has(type) || prefixes.some((p) => type.startsWith(p));
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is Scalar => v === null || ['string', 'number', 'boolean'].includes(typeof v);

function stringList(v: unknown, what: string, check?: (s: string) => string | null): string | null {
  if (!Array.isArray(v) || v.length === 0 || v.length > 100) return `${what} must be a list of 1 to 100 strings`;
  for (const s of v) {
    if (typeof s !== 'string' || !s) return `${what} must be a list of non-empty strings`;
    const p = check?.(s);
    if (p) return p;
  }
  return null;
}

function regex(v: unknown, what: string): RegExp | string {
  if (typeof v !== 'string' || !v || v.length > 500) return `${what} must be a regular expression of 1 to 500 characters`;
  try {
    return new RegExp(v, 'i');
  } catch (e) {
    return `${what} is not a valid regular expression: ${(e as Error).message}`;
  }
}

function fieldTests(v: unknown, what: string): FieldTest[] | string {
  if (!isObj(v) || Object.keys(v).length === 0) return `${what} must be an object of "dotted.field": value (or a list of values)`;
  const out: FieldTest[] = [];
  for (const [k, val] of Object.entries(v)) {
    const values = Array.isArray(val) ? val : [val];
    if (!values.length || !values.every(isScalar)) return `${what}.${k} must be a string, number, boolean, null or a list of them`;
    out.push({ path: k.split('.'), values });
  }
  return out;
}

const matcher = (globs: string[]) => picomatch(globs, { dot: true, nocase: true });
/** Entries a rule's path memo keeps before it starts over (the same files change again and again). */
const MEMO_MAX = 4096;

function pathMatcher(globs: string[], notGlobs: string[] | undefined): (p: string) => boolean {
  // Compiled on first use: the rules were checked at start (globProblem), and compiling three dozen
  // rules' globs up front showed in `devflow mcp`'s cold start.
  let yes: ((p: string) => boolean) | undefined;
  let no: ((p: string) => boolean) | null | undefined;
  const memo = new Map<string, boolean>();
  return (p) => {
    let hit = memo.get(p);
    if (hit === undefined) {
      yes ??= matcher(globs);
      no ??= notGlobs ? matcher(notGlobs) : null;
      hit = yes(p) && !no?.(p);
      if (memo.size >= MEMO_MAX) memo.clear();
      memo.set(p, hit);
    }
    return hit;
  };
}

/** Check one rule; a compiled rule, or the first problem found (naming what to fix). */
export function compileRule(raw: unknown, label: string): CompiledRule | RuleProblem {
  const bad = (message: string): RuleProblem => ({ code: 'STAGE_ERR_RULE_INVALID', rule: label, message });
  if (!isObj(raw)) return bad('a rule must be an object { name, stage, subStage?, when: { types, ... }, weight }');
  for (const k of Object.keys(raw)) if (!RULE_KEYS.has(k)) return bad(`unknown key "${k}" (allowed: ${[...RULE_KEYS].join(', ')})`);
  const { name, stage, subStage, when, weight } = raw;
  if (typeof name !== 'string' || !NAME_RE.test(name)) return bad('name must be 1-64 letters, digits, ".", "_" or "-"');
  if (!isStage(stage)) return bad(`unknown stage "${String(stage)}" (one of: ${['prd', 'planning', 'erd', 'wireframe', 'screen-design', 'design', 'frontend', 'backend', 'ai-collaboration', 'coding', 'git-management', 'deployment', 'operation'].join(', ')})`);
  if (subStage !== undefined && subStage !== null) {
    if (!isSubStage(subStage)) return bad(`unknown subStage "${String(subStage)}"`);
    if (stage !== SUB_STAGE_PARENT) return bad(`subStage "${subStage}" belongs to stage "${SUB_STAGE_PARENT}", not "${stage}"`);
  }
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0 || weight > 100) return bad('weight must be a number > 0 and ≤ 100');
  if (!isObj(when)) return bad('when must be an object with at least "types"');
  for (const k of Object.keys(when)) if (!WHEN_KEYS.has(k)) return bad(`unknown condition when.${k} (allowed: ${[...WHEN_KEYS].join(', ')})`);
  const typeProblem = stringList(when.types, 'when.types', (t) =>
    t.startsWith('stage-analyzer.') ? `when.types: "${t}" is this plugin's own output` : TYPE_RE.test(t) ? null : `when.types: "${t}" is not an event type ("plugin.noun.verb") or prefix ("plugin.*")`,
  );
  if (typeProblem) return bad(typeProblem);
  const globs = (k: 'pathGlobs' | 'notPathGlobs') => (when[k] === undefined ? null : stringList(when[k], `when.${k}`, (g) => globProblem(g)));
  const gp = globs('pathGlobs') ?? globs('notPathGlobs');
  if (gp) return bad(gp);
  if (when.notPathGlobs !== undefined && when.pathGlobs === undefined) return bad('when.notPathGlobs needs when.pathGlobs (it narrows them)');
  if (when.commitTypes !== undefined) {
    const p = stringList(when.commitTypes, 'when.commitTypes');
    if (p) return bad(p);
  }
  const tag = when.tagPattern === undefined ? null : regex(when.tagPattern, 'when.tagPattern');
  if (typeof tag === 'string') return bad(tag);
  const subject = when.subjectPattern === undefined ? null : regex(when.subjectPattern, 'when.subjectPattern');
  if (typeof subject === 'string') return bad(subject);
  const fields = when.fields === undefined ? [] : fieldTests(when.fields, 'when.fields');
  if (typeof fields === 'string') return bad(fields);
  const notFields = when.notFields === undefined ? [] : fieldTests(when.notFields, 'when.notFields');
  if (typeof notFields === 'string') return bad(notFields);
  if (when.afterStages !== undefined) {
    const p = stringList(when.afterStages, 'when.afterStages', (s) => (isStage(s) ? null : `when.afterStages: unknown stage "${s}"`));
    if (p) return bad(p);
  }
  const minutes = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 525_600;
  if (when.quietMinutes !== undefined && !minutes(when.quietMinutes)) return bad('when.quietMinutes must be a number of minutes > 0');
  let withStage: CompiledRule['withStage'] = null;
  if (when.withStage !== undefined) {
    const w = when.withStage;
    if (!isObj(w) || !isStage(w.stage) || !minutes(w.withinMinutes)) return bad('when.withStage must be { stage: <a stage id>, withinMinutes: > 0 }');
    withStage = { stage: w.stage, withinMs: (w.withinMinutes as number) * MINUTE_MS };
  }
  const types = when.types as string[];
  return {
    name,
    stage,
    subStage: (subStage as string | undefined) ?? null,
    weight,
    types,
    matchesType: typeMatcher(types),
    pathMatch: when.pathGlobs ? pathMatcher(when.pathGlobs as string[], when.notPathGlobs as string[] | undefined) : null,
    commitTypes: when.commitTypes ? new Set((when.commitTypes as string[]).map((s) => s.toLowerCase())) : null,
    tag,
    subject,
    fields,
    notFields,
    afterStages: when.afterStages ? new Set(when.afterStages as string[]) : null,
    quietMs: when.quietMinutes === undefined ? null : (when.quietMinutes as number) * MINUTE_MS,
    withStage,
  };
}

/** Layered rule sources: defaults, then global overrides, then per-project ones. */
export interface RuleLayer {
  /** Where the layer comes from, for messages (`rules`, `projects["/p"].rules`). */
  where: string;
  rules?: readonly unknown[];
  disable?: readonly string[];
}

/**
 * Build one effective rule set: each layer's rules replace same-named ones or are added, then its
 * `disable` list removes names. Invalid rules are skipped and reported; the others keep working.
 */
export function buildRuleSet(layers: readonly RuleLayer[]): { rules: CompiledRule[]; problems: RuleProblem[] } {
  const byName = new Map<string, CompiledRule>();
  const problems: RuleProblem[] = [];
  for (const layer of layers) {
    (layer.rules ?? []).forEach((raw, i) => {
      const name = isObj(raw) && typeof raw.name === 'string' && raw.name ? raw.name : `#${i}`;
      const r = compileRule(raw, `${name} (${layer.where}[${i}])`);
      if ('code' in r) problems.push({ ...r, message: `${r.message}; rule skipped${byName.has(name) ? ' (the earlier rule of that name stays in use)' : ''}` });
      else byName.set(r.name, r);
    });
    for (const name of layer.disable ?? []) {
      if (!byName.delete(name)) problems.push({ code: 'STAGE_ERR_RULE_UNKNOWN', rule: name, message: `${layer.where.replace(/rules$/, 'disable')} names no known rule "${name}"` });
    }
  }
  return { rules: [...byName.values()], problems };
}
