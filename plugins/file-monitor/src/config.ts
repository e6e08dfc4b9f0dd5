import { MONITOR_SOURCES } from './activity.js';

/** JSON Schema of the plugin's config (defaults documented in the README's Config table). */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    backend: {
      enum: ['auto', 'parcel', 'chokidar', 'poll'],
      default: 'auto',
      description: 'auto: @parcel/watcher (native, one watch per directory), chokidar where parcel cannot run; poll only for file systems without change notification.',
    },
    ignore: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 1000 }, maxItems: 1000, default: [], description: 'Extra gitignore-syntax patterns, relative to each project root; "!pattern" re-includes a default.' },
    useDefaultIgnores: { type: 'boolean', default: true, description: 'Ignore node_modules, .git, build outputs, caches and editor scratch files.' },
    useGitignore: { type: 'boolean', default: true, description: 'Honour .gitignore files (nested ones too) and .git/info/exclude.' },
    settleMs: { type: 'integer', minimum: 0, maximum: 1000, default: 20, description: 'A change goes out once its file had no new notification for this long.' },
    coalesceMs: { type: 'integer', minimum: 0, maximum: 600000, default: 2000, description: 'Repeated saves of a file within this window after it was reported become one event with a count.' },
    burstWindowMs: { type: 'integer', minimum: 10, maximum: 60000, default: 1000, description: 'Window for telling a burst from lone edits.' },
    holdThreshold: { type: 'integer', minimum: 2, maximum: 100000, default: 3, description: 'Distinct files changed within burstWindowMs from which changes are held back to see whether a bulk is under way.' },
    quietMs: { type: 'integer', minimum: 10, maximum: 60000, default: 300, description: 'Held changes go out once the project was quiet this long.' },
    bulkThreshold: { type: 'integer', minimum: 2, maximum: 1000000, default: 50, description: 'Held changes of at least this many files become one bulk event.' },
    maxHoldMs: { type: 'integer', minimum: 100, maximum: 600000, default: 5000, description: 'Held changes, and one bulk event, never wait longer than this.' },
    renameWindowMs: { type: 'integer', minimum: 0, maximum: 10000, default: 150, description: 'A deletion waits this long for a creation of the same content to pair into a rename.' },
    maxDiffBytes: { type: 'integer', minimum: 0, maximum: 16777216, default: 262144, description: 'Text files up to this size get exact lines added/removed (diffed against their last seen version).' },
    maxHashBytes: { type: 'integer', minimum: 0, maximum: 1073741824, default: 4194304, description: 'Files up to this size are hashed whole and their lines counted; larger ones get a partial hash and no line counts.' },
    contentCacheMb: { type: 'integer', minimum: 0, maximum: 4096, default: 16, description: 'Memory for the last seen text of recently changed files (exact diffs).' },
    sampleSize: { type: 'integer', minimum: 1, maximum: 200, default: 20, description: 'Paths listed in a bulk event.' },
    pollMs: { type: 'integer', minimum: 100, maximum: 3600000, default: 10000, description: 'Polling interval once the OS watch limit forced polling (and for backend "poll").' },
    retryWatchMs: { type: 'integer', minimum: 0, maximum: 86400000, default: 300000, description: 'While degraded, try the full watch again this often (0: never).' },
    retentionDays: { type: 'integer', minimum: 1, maximum: 3650, default: 90, description: 'Days of the hotspot rollup and file memory kept.' },
    activitySources: {
      type: 'array',
      items: { type: 'string', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$' },
      maxItems: 100,
      default: [...MONITOR_SOURCES],
      description: 'Plugin ids whose events activity_recent shows by default.',
    },
  },
} as const;
