import { definePlugin } from '@devflow/plugin-sdk';

/** Test, build and deploy runs: `devflow run`, report files (JUnit, Jest/Vitest JSON, TAP, coverage). (being built; see the issue on monitors). */
export default definePlugin({
  id: 'test-monitor',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: "Test, build and deploy runs: `devflow run`, report files (JUnit, Jest/Vitest JSON, TAP, coverage).",
  start() {},
});
