import type { FromSchema } from '@devflow/plugin-sdk';

const ROLE_PATTERN = '^!?([a-z][a-z0-9-]*|\\*):([a-z][a-z0-9-]*|\\*)$';

/** The kernel config file's schema. Unknown keys are errors, so typos do not pass silently. */
export const KERNEL_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    projects: {
      type: 'array',
      description: 'Project roots to watch (absolute, or relative to the config file).',
      items: { type: 'string', minLength: 1 },
      default: [],
    },
    plugins: {
      type: 'object',
      description: 'Plugins by first-party id, npm package name or path: enabled flag and options.',
      default: {},
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          enabled: { type: 'boolean', default: true },
          config: { type: 'object', default: {} },
        },
      },
    },
    rbac: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        localRole: { type: 'string', minLength: 1, default: 'developer', description: 'Role of the local user (CLI, stdio MCP).' },
        roles: {
          type: 'object',
          description: 'Role name → permission patterns; overrides or adds to the defaults.',
          additionalProperties: { type: 'array', items: { type: 'string', pattern: ROLE_PATTERN } },
          default: {},
        },
      },
    },
    logging: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: { enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], default: 'info' },
        file: { type: 'string', minLength: 1 },
        rotate: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Rotation of logging.file: <file>.1 is the newest rotated file.',
          properties: {
            maxSizeMb: { type: 'number', exclusiveMinimum: 0, maximum: 10240, default: 10, description: 'Rotate when the file reaches this size (MB); fractions allowed.' },
            keep: { type: 'integer', minimum: 1, maximum: 100, default: 5, description: 'Rotated files kept; older ones are deleted.' },
            daily: { type: 'boolean', default: true, description: 'Also rotate at the first write of a new local day.' },
          },
        },
      },
    },
    storage: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        path: { type: 'string', minLength: 1, description: 'Database file; default <data dir>/devflow.db.' },
        batchSize: {
          type: 'integer',
          minimum: 1,
          maximum: 10000,
          default: 2000,
          description: 'Most events per transaction. Events emitted in one turn of the event loop commit together up to this many (a burst, a backfill); fewer, larger transactions spread the per-transaction work of the analyzers.',
        },
        flushMs: { type: 'integer', minimum: 0, maximum: 1000, default: 0, description: 'Wait this long for more events before a partial batch commits; 0 = at the end of the current turn of the event loop.' },
        retention: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            archiveAfterDays: { type: ['integer', 'null'], minimum: 1, default: null, description: 'Move events older than this many days to the archive database; null keeps everything.' },
            archivePath: { type: 'string', minLength: 1, description: 'Archive database; default <data dir>/archive.db.' },
          },
        },
        maintenance: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            everyHours: { type: 'number', minimum: 0, maximum: 8760, default: 24, description: 'Run maintenance (archive, ANALYZE, checkpoint) this often in the process holding the monitor lease; 0 = off.' },
          },
        },
      },
    },
    mcp: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        profile: { type: 'string', minLength: 1, default: 'default', description: 'Tool profile MCP clients see: default, all, or a name from profiles.' },
        profiles: {
          type: 'object',
          default: {},
          description: 'Named tool profiles: lists of group names, tool names, and "default".',
          additionalProperties: { type: 'array', items: { type: 'string', minLength: 1 } },
        },
        http: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            host: { type: 'string', minLength: 1, default: '127.0.0.1' },
            port: { type: 'integer', minimum: 0, maximum: 65535, default: 3777 },
            allowedHosts: { type: 'array', items: { type: 'string' }, default: [], description: 'Extra Host header values to accept (e.g. a reverse proxy name).' },
            allowedOrigins: { type: 'array', items: { type: 'string' }, default: [], description: 'Extra Origin values to accept (browser clients).' },
            tokens: {
              type: 'array',
              default: [],
              description: 'Bearer tokens and the principal each one is. Give tokenSha256 (hex) rather than the token itself.',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['principal', 'role'],
                properties: {
                  token: { type: 'string', minLength: 16 },
                  tokenSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
                  principal: { type: 'string', minLength: 1 },
                  role: { type: 'string', minLength: 1 },
                },
              },
            },
          },
        },
      },
    },
    kernel: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        startTimeoutMs: { type: 'integer', minimum: 1, default: 10000 },
        stopTimeoutMs: { type: 'integer', minimum: 1, default: 5000 },
        failFast: { type: 'boolean', default: false },
        leaseTtlMs: { type: 'integer', minimum: 500, default: 5000 },
        watchConfig: { type: 'boolean', default: true },
      },
    },
  },
} as const;

export type KernelConfig = FromSchema<typeof KERNEL_CONFIG_SCHEMA>;

/** What a caller may pass: any subset; `true`/`false` are shorthands for `{ enabled }`. */
export interface KernelConfigInput {
  projects?: string[];
  plugins?: Record<string, boolean | { enabled?: boolean; config?: Record<string, unknown> }>;
  rbac?: { localRole?: string; roles?: Record<string, string[]> };
  logging?: { level?: string; file?: string; rotate?: { maxSizeMb?: number; keep?: number; daily?: boolean } };
  storage?: {
    path?: string;
    batchSize?: number;
    flushMs?: number;
    retention?: { archiveAfterDays?: number | null; archivePath?: string };
    maintenance?: { everyHours?: number };
  };
  mcp?: { profile?: string; profiles?: Record<string, string[]>; http?: Record<string, unknown> };
  kernel?: { startTimeoutMs?: number; stopTimeoutMs?: number; failFast?: boolean; leaseTtlMs?: number; watchConfig?: boolean };
  [key: string]: unknown;
}
