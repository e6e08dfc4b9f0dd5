// The events bottleneck-detector emits, typed for everyone who imports the plugin.
import type { Evidence } from './rules.js';
import type { Severity } from './rule-config.js';

/** What a finding is when it opens: the fields tools show too (see `Finding`). */
export interface FindingFields {
  /** Stable id: `<rule>:<project>:<subject id>`. */
  key: string;
  rule: string;
  project: string;
  severity: Severity;
  title: string;
  subject: string;
  /** At most 5 items. */
  evidence: Evidence[];
  suggestion: string;
  openedAt: number;
}

export interface BottleneckOpened extends FindingFields {
  [key: string]: unknown;
  /** What made it open: an event (event time) or the wall-clock check. */
  trigger: 'event' | 'clock';
}

export interface BottleneckResolved {
  [key: string]: unknown;
  key: string;
  rule: string;
  project: string;
  subject: string;
  openedAt: number;
  resolvedAt: number;
  durationMs: number;
  trigger: 'event' | 'clock';
}

declare module '@devflow/plugin-sdk' {
  interface DevflowEventMap {
    'bottleneck-detector.bottleneck.opened': BottleneckOpened;
    'bottleneck-detector.bottleneck.resolved': BottleneckResolved;
  }
}
