// task-timeline's config schema, its type, and the projection version derived from the keys that
// change what the fold writes (changing them rebuilds the timeline from the log).

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    burstGapMinutes: { type: 'integer', minimum: 1, maximum: 240, default: 10, description: 'File edits of one task closer than this are merged into one timeline entry ("12 edits to 5 files in src/api").' },
    idleMinutes: { type: 'integer', minimum: 1, maximum: 240, default: 15, description: 'Gaps between activity longer than this do not count as active time on a task.' },
    hotFilesHours: { type: 'integer', minimum: 1, maximum: 72, default: 4, description: 'Hot files in devflow_context: most edited in this many hours before the project\'s last edit.' },
    defaultBranches: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 }, maxItems: 20, default: ['main', 'master', 'trunk', 'develop'], description: 'Integration branches: commits on them that name an issue key go to that issue\'s task; deploys from them ship the tasks merged into them.' },
    issueKeyPrefixes: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9]{1,9}$' }, maxItems: 100, default: [], description: 'Issue-tracker project keys to recognize in branch names (e.g. ["PROJ"]); empty: any KEY-123 except look-alikes such as UTF-8 or SHA-256.' },
  },
} as const;

export interface TimelineConfig {
  burstGapMinutes: number;
  idleMinutes: number;
  hotFilesHours: number;
  defaultBranches: readonly string[];
  issueKeyPrefixes: readonly string[];
}

/** Bump when the fold changes meaning. */
export const FOLD_VERSION = 1;

/** The projection version: the fold version and a hash of the config keys the fold depends on. */
export function projectionVersion(c: TimelineConfig): number {
  const text = JSON.stringify([c.burstGapMinutes, c.idleMinutes, [...c.defaultBranches], [...c.issueKeyPrefixes].map((p) => p.toUpperCase())]);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return FOLD_VERSION * 1_000_000 + (h % 1_000_000);
}
