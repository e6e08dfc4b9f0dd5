/** Test counts; `null` where the source does not tell (e.g. `go test` without `-v` lists no passes). */
export interface TestCounts {
  passed: number | null;
  failed: number | null;
  skipped: number | null;
}

/** Coverage percentages (0–100, one decimal); `null` for a measure the source does not give. */
export interface Coverage {
  lines: number | null;
  branches: number | null;
  functions: number | null;
  statements: number | null;
}

/** What a run's output said about its tests. */
export interface OutputSummary extends TestCounts {
  /** The recognized runner(s), e.g. `jest`, `node:test`, `pytest`, or `jest+vitest`; null when none was. */
  runner: string | null;
  failingTests: string[];
  failingTestsTruncated: boolean;
  coverage: Coverage | null;
}

export type RunKind = 'test' | 'build' | 'deploy' | 'other';
export const RUN_KINDS: readonly RunKind[] = ['test', 'build', 'deploy', 'other'];

/** Round a percentage to one decimal, or null when it is not a finite number. */
export function pct(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? Math.round(n * 10) / 10 : null;
}

/** A percentage from covered/total counts; null when there is nothing to cover. */
export function ratio(hit: number, found: number): number | null {
  return found > 0 ? pct((hit / found) * 100) : null;
}
