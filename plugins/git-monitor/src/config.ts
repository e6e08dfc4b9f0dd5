import type { FromSchema } from '@devflow/plugin-sdk';

const names = (description: string, defaults: readonly string[]) =>
  ({ type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 }, maxItems: 200, default: defaults, description }) as const;

/** git-monitor's options (README: Config). */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    backfillDays: { type: 'integer', minimum: 0, maximum: 3650, default: 180, description: 'How many days of history to import when a repository is first seen (0: none).' },
    pollIntervalSec: { type: 'integer', minimum: 5, maximum: 86_400, default: 60, description: 'Slow poll of every repository, the fallback for missed file-system notifications.' },
    discoverIntervalSec: { type: 'integer', minimum: 30, maximum: 86_400, default: 300, description: 'How often the project roots are walked again for new or removed repositories.' },
    watch: { type: 'boolean', default: true, description: 'Watch .git directories for changes (false: poll only).' },
    debounceMs: { type: 'integer', minimum: 0, maximum: 10_000, default: 250, description: 'Quiet time after a .git change before the repository is scanned.' },
    maxDepth: { type: 'integer', minimum: 0, maximum: 12, default: 4, description: 'How many directory levels below a project root are searched for repositories.' },
    ignoreDirs: names('Directory names never searched for repositories (hidden directories are skipped too).', ['node_modules', 'vendor', 'dist', 'build', 'out', 'target', 'venv', '__pycache__', 'coverage', 'Pods', 'bower_components', 'jspm_packages']),
    defaultBranches: names('Names tried, in order, for the default branch when the remote does not say (origin/HEAD).', ['main', 'master', 'trunk', 'develop']),
    issueKeyPrefixes: names('Issue-tracker project keys to look for (e.g. ["PROJ", "OPS"]); empty: any KEY-123.', []),
    maxFilesPerCommit: { type: 'integer', minimum: 1, maximum: 1000, default: 200, description: 'Most files listed in one commit event (totals always count all).' },
    maxCommitsPerScan: { type: 'integer', minimum: 10, maximum: 100_000, default: 5000, description: 'Most new commits one scan records (a huge pull is cut, with a warning).' },
    maxBackfillCommits: { type: 'integer', minimum: 100, maximum: 1_000_000, default: 100_000, description: 'Most commits one history import records per repository.' },
  },
} as const;

export type GitMonitorConfig = FromSchema<typeof configSchema>;
