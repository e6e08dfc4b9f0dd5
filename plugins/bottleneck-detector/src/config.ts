// bottleneck-detector's options (README: Config). Rule settings are checked by rule-config.ts,
// not by the schema, so that one bad rule disables itself instead of the whole plugin.

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rules: {
      type: 'object',
      default: {},
      maxProperties: 50,
      description: 'Rule settings by rule id: { "<rule>": { "enabled", "severity", <thresholds> } } (see the rule table in the README).',
    },
    projects: {
      type: 'object',
      default: {},
      maxProperties: 500,
      additionalProperties: { type: 'object' },
      description: 'Per-project overrides: { "<project path>": { "<rule>": { ... } } }, merged over `rules`.',
    },
    defaultBranches: {
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: 200 },
      maxItems: 50,
      default: ['main', 'master', 'trunk', 'develop'],
      description: 'Trunk branch names: never reported as long-lived and not counted as work in progress. The first is named in suggestions.',
    },
    evaluateEverySec: { type: 'integer', minimum: 10, maximum: 86_400, default: 300, description: 'How often the lease-holding process re-evaluates the time-based rules against the wall clock.' },
    maxClockSkewMinutes: { type: 'integer', minimum: 0, maximum: 10_080, default: 10, description: "How far an event's time may lie past the moment it was recorded before it is capped (clocks that jump ahead)." },
  },
} as const;

export interface DetectorConfig {
  rules: Record<string, unknown>;
  projects: Record<string, unknown>;
  defaultBranches: string[];
  evaluateEverySec: number;
  maxClockSkewMinutes: number;
}
