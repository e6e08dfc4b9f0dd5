import type { FromSchema } from '@devflow/plugin-sdk';

const source = (what: string) =>
  ({
    type: 'object',
    additionalProperties: false,
    default: {},
    properties: {
      enabled: { type: 'boolean', default: true, description: `Read ${what} transcripts.` },
      paths: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        maxItems: 20,
        default: [],
        description: `Transcript roots for ${what} (absolute or starting with "~"); empty = the documented default locations.`,
      },
    },
  }) as const;

/** The plugin's config schema. Every key has a default, so `{}` is a complete config. */
export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    sources: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Which AI tools to read, and where their transcripts live.',
      properties: {
        claude: source('Claude Code'),
        codex: source('Codex CLI'),
        gemini: source('Gemini CLI'),
        qwen: source('Qwen Code'),
      },
    },
    pollIntervalMs: { type: 'integer', minimum: 100, maximum: 600_000, default: 2_000, description: 'How often recently active transcripts are checked for new records.' },
    scanIntervalMs: { type: 'integer', minimum: 100, maximum: 3_600_000, default: 60_000, description: 'How often every transcript root is walked for new and changed files.' },
    activeGapCapMs: { type: 'integer', minimum: 1_000, maximum: 3_600_000, default: 300_000, description: 'Active time adds the gap between consecutive records, at most this much per gap.' },
    sessionIdleMs: { type: 'integer', minimum: 1_000, maximum: 86_400_000, default: 1_800_000, description: 'A session with no record for this long has ended.' },
    updateThrottleMs: { type: 'integer', minimum: 0, maximum: 3_600_000, default: 30_000, description: 'At most one session.updated event per session per this interval.' },
    maxAgeDays: { type: 'integer', minimum: 1, maximum: 3650, default: 30, description: 'Transcripts not modified for this many days are not read.' },
    pollBudgetBytes: { type: 'integer', minimum: 65_536, maximum: 1_073_741_824, default: 67_108_864, description: 'At most this many transcript bytes are read per poll; a backlog (first run, long absence) is read over several polls.' },
    maxLineBytes: { type: 'integer', minimum: 1024, maximum: 268_435_456, default: 33_554_432, description: 'Longer transcript lines are skipped with a warning.' },
    processes: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true, description: 'Detect running assistants from the process table.' },
        intervalMs: { type: 'integer', minimum: 100, maximum: 3_600_000, default: 30_000, description: 'How often the process table is read.' },
        procRoot: { type: 'string', minLength: 1, default: '/proc', description: 'The procfs mount (Linux); without it `ps` is used.' },
      },
    },
    attribution: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true, description: 'Attribute git-monitor commits to AI assistants.' },
        windowMs: { type: 'integer', minimum: 0, maximum: 86_400_000, default: 1_800_000, description: 'A session of the same project active within this window before a commit counts as overlap.' },
      },
    },
    otlp: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: false, description: 'Run the local OTLP/HTTP (JSON) receiver.' },
        host: { enum: ['127.0.0.1', '::1', 'localhost'], default: '127.0.0.1', description: 'Loopback address to bind.' },
        port: { type: 'integer', minimum: 0, maximum: 65_535, default: 4318, description: '0 picks a free port.' },
        maxBodyBytes: { type: 'integer', minimum: 1024, maximum: 67_108_864, default: 4_194_304, description: 'Larger requests get 413.' },
      },
    },
  },
} as const;

export type AiMonitorConfig = FromSchema<typeof CONFIG_SCHEMA>;

export const TOOLS = ['claude', 'codex', 'gemini', 'qwen'] as const;
export type TranscriptTool = (typeof TOOLS)[number];
