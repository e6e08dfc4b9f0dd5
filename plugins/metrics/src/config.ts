import type { FromSchema } from '@devflow/plugin-sdk';

/** metrics' options (README: Config). */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    idleTimeoutMinutes: { type: 'integer', minimum: 1, maximum: 240, default: 15, description: 'A gap between two heartbeats of a project up to this long counts as active time.' },
    minActiveMs: { type: 'integer', minimum: 0, maximum: 3_600_000, default: 60_000, description: 'Credit for a heartbeat that follows a longer gap (or is the first one).' },
    maxFutureMs: { type: 'integer', minimum: 0, maximum: 86_400_000, default: 600_000, description: 'An event dated more than this after it was stored is treated as dated when stored plus this.' },
    timezoneOffsetMinutes: { type: 'integer', minimum: -720, maximum: 840, default: 0, description: 'Offset from UTC of the hour/day/week buckets (0: UTC). Weeks start on Monday.' },
    issueKeyPattern: { type: 'string', minLength: 1, maxLength: 200, default: '[A-Z][A-Z0-9]+-\\d+', description: 'Regular expression of an issue key in a branch name.' },
    reworkWindowDays: { type: 'integer', minimum: 1, maximum: 90, default: 14, description: 'Lines added by an AI-assisted commit changed within this many days count as AI rework.' },
    failureWindowHours: { type: 'integer', minimum: 1, maximum: 720, default: 24, description: 'A deploy followed this soon by a failed deploy, a revert or a hotfix commit counts as a failed change.' },
    deploySignals: { type: 'string', enum: ['auto', 'runs', 'tags', 'both'], default: 'auto', description: 'What counts as a deployment: deploy runs, release tags, both, or auto (release tags only in projects that never had a deploy run).' },
    releaseTagPattern: { type: 'string', minLength: 1, maxLength: 200, default: '^v?\\d+\\.\\d+\\.\\d+$', description: 'Regular expression of a release tag.' },
    hotfixPattern: { type: 'string', minLength: 1, maxLength: 200, default: '(^|/)hot-?fix\\b', description: 'Regular expression (case-insensitive) matched against commit subjects and branch names that mark a hotfix.' },
    flakyMinFlips: { type: 'integer', minimum: 2, maximum: 20, default: 2, description: 'Pass/fail changes of one test within the window that make it flaky.' },
    sprintDays: { type: 'integer', minimum: 1, maximum: 56, default: 14, description: 'Length of the "sprint" period of metrics_summary.' },
  },
} as const;

export type MetricsConfig = FromSchema<typeof configSchema>;

/** The options as the folds use them: milliseconds and compiled patterns. */
export interface Settings {
  idleMs: number;
  minActiveMs: number;
  maxFutureMs: number;
  offsetMs: number;
  issueRe: RegExp;
  reworkMs: number;
  failureWindowMs: number;
  deploySignals: 'auto' | 'runs' | 'tags' | 'both';
  releaseRe: RegExp;
  hotfixRe: RegExp;
  flakyMinFlips: number;
  sprintDays: number;
}

/** A pattern in the config that is not a valid regular expression; the default is used instead. */
export interface PatternProblem {
  key: string;
  pattern: string;
  message: string;
}

const DEFAULTS = configSchema.properties;

function compile(key: 'issueKeyPattern' | 'releaseTagPattern' | 'hotfixPattern', value: string, flags: string, problems: PatternProblem[]): RegExp {
  try {
    return new RegExp(value, flags);
  } catch (e) {
    problems.push({ key, pattern: value, message: (e as Error).message });
    return new RegExp(DEFAULTS[key].default, flags);
  }
}

/** Settings from a validated config; bad patterns are listed in `problems` and replaced by their defaults. */
export function toSettings(c: MetricsConfig): { settings: Settings; problems: PatternProblem[] } {
  const problems: PatternProblem[] = [];
  const settings: Settings = {
    idleMs: c.idleTimeoutMinutes * 60_000,
    minActiveMs: c.minActiveMs,
    maxFutureMs: c.maxFutureMs,
    offsetMs: c.timezoneOffsetMinutes * 60_000,
    issueRe: compile('issueKeyPattern', c.issueKeyPattern, '', problems),
    reworkMs: c.reworkWindowDays * 86_400_000,
    failureWindowMs: c.failureWindowHours * 3_600_000,
    deploySignals: c.deploySignals,
    releaseRe: compile('releaseTagPattern', c.releaseTagPattern, '', problems),
    hotfixRe: compile('hotfixPattern', c.hotfixPattern, 'i', problems),
    flakyMinFlips: c.flakyMinFlips,
    sprintDays: c.sprintDays,
  };
  return { settings, problems };
}

/**
 * The projection version: a base that changes with the fold's code, plus a hash of the options
 * that change what is folded, so editing them rebuilds the tables from the log.
 */
export function projectionVersion(base: number, c: MetricsConfig): number {
  const { sprintDays: _sprint, ...folded } = c;
  const text = JSON.stringify(Object.keys(folded).sort().map((k) => [k, (folded as Record<string, unknown>)[k]]));
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return base * 1_000_000 + (h % 1_000_000);
}
