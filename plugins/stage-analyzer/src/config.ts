import type { FromSchema } from '@devflow/plugin-sdk';

// Rules are checked by the plugin (rules.ts), not by the schema: a bad rule is reported by name and
// skipped while the other rules keep working, instead of failing the whole plugin.
const rules = { type: 'array', items: { type: 'object' }, maxItems: 500, description: 'Stage rules (README: Rules); a rule named like a default replaces it.' } as const;
const disable = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 500, description: 'Names of rules to switch off.' } as const;

/** stage-analyzer's options (README: Config). */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    windowMinutes: { type: 'integer', minimum: 10, maximum: 10_080, default: 240, description: 'Signals older than this (event time, before the project\'s latest event) no longer count.' },
    halfLifeMinutes: { type: 'integer', minimum: 1, maximum: 10_080, default: 60, description: 'A signal\'s weight halves every this many minutes.' },
    minDwellMinutes: { type: 'integer', minimum: 0, maximum: 1440, default: 30, description: 'How long a new leader must lead before the stage changes (hysteresis).' },
    minScore: { type: 'number', minimum: 0, maximum: 1000, default: 3, description: 'Smallest decayed score a stage needs to be entered.' },
    minConfidence: { type: 'number', minimum: 0, maximum: 1, default: 0.35, description: 'Smallest share of all scores a stage needs to be entered.' },
    subStageShare: { type: 'number', minimum: 0, maximum: 1, default: 0.25, description: 'A coding sub-stage is named when it holds at least this share of the coding score.' },
    maxFutureSkewMinutes: { type: 'integer', minimum: 0, maximum: 10_080, default: 10, description: 'Events dated more than this after they were recorded are ignored.' },
    defaultRules: { type: 'boolean', default: true, description: 'Start from the shipped rules (false: only the configured ones).' },
    rules,
    disable,
    projects: {
      type: 'object',
      default: {},
      description: 'Per project root: extra or replacing rules and rules to switch off, on top of the global ones.',
      additionalProperties: { type: 'object', additionalProperties: false, properties: { rules, disable } },
    },
  },
} as const;

export type StageAnalyzerConfig = FromSchema<typeof configSchema>;
