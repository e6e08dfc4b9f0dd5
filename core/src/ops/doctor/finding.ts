/** One doctor finding: what was checked, how it stands, what was seen, and what to do. */
export interface Finding {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  /** A concrete next step (a command, or a file and what to change); null when all is well. */
  fix: string | null;
}

export const ok = (check: string, detail: string): Finding => ({ check, status: 'ok', detail, fix: null });
export const warn = (check: string, detail: string, fix: string): Finding => ({ check, status: 'warn', detail, fix });
export const fail = (check: string, detail: string, fix: string): Finding => ({ check, status: 'fail', detail, fix });

const RANK = { ok: 0, warn: 1, fail: 2 } as const;
export const worst = (a: Finding['status'], b: Finding['status']): Finding['status'] => (RANK[a] >= RANK[b] ? a : b);
