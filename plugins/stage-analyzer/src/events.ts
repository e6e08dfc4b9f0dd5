// The event stage-analyzer emits, typed for everyone who imports the plugin.
import type { StageChanged } from './stages.js';

declare module '@devflow/plugin-sdk' {
  interface DevflowEventMap {
    'stage-analyzer.stage.changed': StageChanged;
  }
}

export type { StageChanged };
