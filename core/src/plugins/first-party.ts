/**
 * First-party plugins: config id → npm package. A config entry that is one of these ids loads
 * the package; the embedded defaults enable the ones marked `default`.
 */
export const FIRST_PARTY: Readonly<Record<string, string>> = Object.freeze({
  admin: '@devflow/plugin-admin',
  'file-monitor': '@devflow/plugin-file-monitor',
  'git-monitor': '@devflow/plugin-git-monitor',
  'test-monitor': '@devflow/plugin-test-monitor',
  'ai-monitor': '@devflow/plugin-ai-monitor',
  'system-monitor': '@devflow/plugin-system-monitor',
});

/** Enabled when DevFlow runs on its embedded defaults (no config file). */
export const DEFAULT_ENABLED: readonly string[] = ['admin', 'file-monitor', 'git-monitor', 'test-monitor', 'ai-monitor', 'system-monitor'];
