import { definePlugin } from '@devflow/plugin-sdk';

/** AI coding assistant sessions from local transcripts (counts and timings only), process detection, OTLP receiver. (being built; see the issue on monitors). */
export default definePlugin({
  id: 'ai-monitor',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: "AI coding assistant sessions from local transcripts (counts and timings only), process detection, OTLP receiver.",
  start() {},
});
