import { definePlugin } from '@devflow/plugin-sdk';

/** DevFlow's own health: CPU, memory, event-loop lag, database size, queue depth, ingest rate. (being built; see the issue on monitors). */
export default definePlugin({
  id: 'system-monitor',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: "DevFlow's own health: CPU, memory, event-loop lag, database size, queue depth, ingest rate.",
  start() {},
});
