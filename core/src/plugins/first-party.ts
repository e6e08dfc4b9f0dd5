/**
 * First-party plugins: config id → npm package. A config entry that is one of these ids loads
 * the package; the embedded defaults enable the ones marked `default`.
 */
export const FIRST_PARTY: Readonly<Record<string, string>> = Object.freeze({
  admin: '@devflow/plugin-admin',
});

/** Enabled when DevFlow runs on its embedded defaults (no config file). */
export const DEFAULT_ENABLED: readonly string[] = ['admin'];
