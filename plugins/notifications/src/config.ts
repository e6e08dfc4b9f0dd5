// Config schema, its TypeScript shape, and the shipped default rules.
import type { ChannelConfig, NotifySeverity } from './channels/types.js';

const SEVERITY = { enum: ['info', 'warn', 'error'] } as const;
const NAME = { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]*$', maxLength: 64 } as const;
const EXPR = { type: 'string', minLength: 1, maxLength: 2000 } as const;

export interface RuleConfig {
  name: string;
  enabled?: boolean;
  description?: string;
  on?: string | string[];
  filter?: string;
  when?: string;
  holdMinutes?: number;
  severity?: NotifySeverity;
  title?: string;
  body?: string;
  channels?: string[];
  dedupKey?: string;
  cooldownMinutes?: number;
}

export interface NotificationsConfig {
  rules: RuleConfig[];
  defaultRules: boolean;
  channels: Record<string, ChannelConfig>;
  defaultChannels: string[];
  cooldownMinutes: number;
  evaluateEverySeconds: number;
  pollSeconds: number;
  maxEventAgeMinutes: number;
  keepDays: number;
}

const ruleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { ...NAME, description: 'Unique rule name; a shipped rule\'s name overrides (merges over) it.' },
    enabled: { type: 'boolean' },
    description: { type: 'string', maxLength: 500 },
    on: {
      anyOf: [
        { type: 'string', minLength: 1, maxLength: 200 },
        { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 200 } },
      ],
      description: 'Event types ("a.b.c"), prefixes ("a.*"), "*", or "schedule" (evaluated every evaluateEverySeconds per project, for metric conditions).',
    },
    filter: { ...EXPR, description: 'filtrex expression choosing which matching events the rule looks at (others are ignored).' },
    when: { ...EXPR, description: 'filtrex condition over the event (data.failed > 3) and metrics (metric("testFailures", "1h") > 5).' },
    holdMinutes: { type: 'number', minimum: 0, maximum: 10080, description: 'The condition must hold this long before the rule fires.' },
    severity: SEVERITY,
    title: { type: 'string', minLength: 1, maxLength: 300 },
    body: { type: 'string', maxLength: 2000 },
    channels: { type: 'array', maxItems: 20, items: NAME },
    dedupKey: { type: 'string', minLength: 1, maxLength: 300 },
    cooldownMinutes: { type: 'number', minimum: 0, maximum: 10080 },
  },
} as const;

const channelSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { type: 'string', pattern: '^[a-z][a-z0-9-]*$', maxLength: 40, description: 'log, desktop, webhook, slack, or a type another plugin registers.' },
    enabled: { type: 'boolean', default: true },
    url: { type: 'string', maxLength: 2000, description: 'Webhook URL (a secret when it carries a token: prefer urlEnv).' },
    urlEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 100, description: 'Environment variable holding the URL.' },
    secretEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 100, description: 'Environment variable holding the HMAC-SHA256 key (webhook).' },
    minSeverity: { ...SEVERITY, default: 'info' },
    quietHours: {
      type: 'object',
      additionalProperties: false,
      required: ['start', 'end'],
      properties: {
        start: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' },
        end: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' },
        timezone: { type: 'string', maxLength: 64 },
        mode: { enum: ['digest', 'drop'], default: 'digest' },
      },
    },
    ratePerHour: { type: 'integer', minimum: 0, maximum: 3600, default: 30, description: 'Most notifications per hour (token bucket); 0: unlimited.' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 60000, default: 5000 },
    retries: { type: 'integer', minimum: 0, maximum: 10, default: 3 },
    headers: { type: 'object', additionalProperties: { type: 'string', maxLength: 2000 }, maxProperties: 20 },
  },
} as const;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rules: { type: 'array', maxItems: 200, items: ruleSchema, default: [] },
    defaultRules: { type: 'boolean', default: true, description: 'Include the shipped rules (see README).' },
    channels: { type: 'object', additionalProperties: channelSchema, maxProperties: 50, default: {} },
    defaultChannels: { type: 'array', items: NAME, maxItems: 20, default: ['log', 'desktop'] },
    cooldownMinutes: { type: 'number', minimum: 0, maximum: 10080, default: 30 },
    evaluateEverySeconds: { type: 'integer', minimum: 5, maximum: 3600, default: 60 },
    pollSeconds: { type: 'integer', minimum: 1, maximum: 300, default: 5 },
    maxEventAgeMinutes: { type: 'integer', minimum: 1, maximum: 10080, default: 60 },
    keepDays: { type: 'integer', minimum: 1, maximum: 3650, default: 30 },
  },
} as const;

/**
 * Shipped rules. `deploy-failed` and `tests-red` are on; `bottleneck-error` and `stage-changed`
 * are off until enabled (config `{ "name": "bottleneck-error", "enabled": true }` or the tool):
 * bottleneck severities depend on that plugin's tuning and stage changes are informational.
 */
export const DEFAULT_RULES: readonly RuleConfig[] = [
  {
    name: 'deploy-failed',
    description: 'A deploy run through `devflow run` failed.',
    on: 'test-monitor.deploy.finished',
    when: 'data.ok == false',
    severity: 'error',
    title: 'Deploy failed in {projectName}',
    body: '`{data.command}` exited with {data.exitCode} on {data.branch}',
    cooldownMinutes: 10,
  },
  {
    name: 'tests-red',
    description: 'Test runs of a project have been failing for 30 minutes.',
    on: 'test-monitor.run.finished',
    filter: 'data.kind == "test"',
    when: 'data.ok == false',
    holdMinutes: 30,
    severity: 'warn',
    title: 'Tests red for 30 min in {projectName}',
    body: '{data.failed} failing, e.g. {data.failingTests}',
    cooldownMinutes: 120,
  },
  {
    name: 'bottleneck-error',
    enabled: false,
    description: 'A bottleneck of severity error opened.',
    on: 'bottleneck-detector.bottleneck.opened',
    when: 'data.severity == "error"',
    severity: 'error',
    title: '{data.title}',
    body: '{data.suggestion}',
    dedupKey: '{rule}|{data.key}',
    cooldownMinutes: 240,
  },
  {
    name: 'stage-changed',
    enabled: false,
    description: 'The development stage of a project changed.',
    on: 'stage-analyzer.stage.changed',
    severity: 'info',
    title: '{projectName}: {data.from} → {data.to}',
    dedupKey: '{rule}|{project}|{data.to}',
    cooldownMinutes: 60,
  },
];
