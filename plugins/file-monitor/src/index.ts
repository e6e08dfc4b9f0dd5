import { definePlugin } from '@devflow/plugin-sdk';

/** Watches project files: changes, renames, bursts, with .gitignore honoured. (being built; see the issue on monitors). */
export default definePlugin({
  id: 'file-monitor',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: "Watches project files: changes, renames, bursts, with .gitignore honoured.",
  start() {},
});
