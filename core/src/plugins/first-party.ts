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
  'stage-analyzer': '@devflow/plugin-stage-analyzer',
  metrics: '@devflow/plugin-metrics',
  'bottleneck-detector': '@devflow/plugin-bottleneck-detector',
  'task-timeline': '@devflow/plugin-task-timeline',
  reports: '@devflow/plugin-reports',
  notifications: '@devflow/plugin-notifications',
  'http-api': '@devflow/plugin-http-api',
  dashboard: '@devflow/plugin-dashboard',
});

/** Enabled when DevFlow runs on its embedded defaults (no config file). */
export const DEFAULT_ENABLED: readonly string[] = [
  'admin',
  'file-monitor',
  'git-monitor',
  'test-monitor',
  'ai-monitor',
  'system-monitor',
  'stage-analyzer',
  'metrics',
  'bottleneck-detector',
  'task-timeline',
  'reports',
  'notifications',
  'http-api',
  'dashboard',
];
