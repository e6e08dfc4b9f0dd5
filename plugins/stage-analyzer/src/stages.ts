// The stage vocabulary shared with the other analyzers (contracts.md): ids are plain strings.

/** The life-cycle stages, in their usual order (ties between equal scores go to the earlier one). */
export const STAGES = [
  'prd', 'planning', 'erd', 'wireframe', 'screen-design', 'design', 'frontend', 'backend',
  'ai-collaboration', 'coding', 'git-management', 'deployment', 'operation',
] as const;

/** Sub-stages of `coding`. */
export const SUB_STAGES = [
  'use-case', 'domain-modeling', 'prompt-design', 'ai-scaffold', 'business-logic', 'refactoring',
  'unit-testing', 'integration-testing', 'e2e-testing',
] as const;

export type Stage = (typeof STAGES)[number];
export type SubStage = (typeof SUB_STAGES)[number];

/** The stage that owns the sub-stages. */
export const SUB_STAGE_PARENT: Stage = 'coding';

export const isStage = (s: unknown): s is Stage => typeof s === 'string' && (STAGES as readonly string[]).includes(s);
export const isSubStage = (s: unknown): s is SubStage => typeof s === 'string' && (SUB_STAGES as readonly string[]).includes(s);
/** Position in {@link STAGES}: the deterministic tie-break. */
export const stageRank = (s: string): number => (STAGES as readonly string[]).indexOf(s);

/** One piece of evidence behind a stage (the `stage.changed` payload and the tools). */
export interface Evidence {
  rule: string;
  eventType: string;
  eventId?: string;
  detail: string;
}

/** Payload of `stage-analyzer.stage.changed` (contracts.md). */
export interface StageChanged {
  [key: string]: unknown;
  project: string;
  from: string | null;
  to: string;
  subStage: string | null;
  confidence: number;
  evidence: Evidence[];
  at: number;
}
