import { definePlugin } from '@devflow/plugin-sdk';

/** Git activity of every repository under the projects: commits, branches, merges, rewrites, tags, with history backfill. (being built; see the issue on monitors). */
export default definePlugin({
  id: 'git-monitor',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: "Git activity of every repository under the projects: commits, branches, merges, rewrites, tags, with history backfill.",
  start() {},
});
