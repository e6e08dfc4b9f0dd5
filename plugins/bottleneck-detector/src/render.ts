// Compact text renderings of the tools' answers (what most clients show the model).

interface EvidenceView {
  detail: string;
  eventId?: string;
  value?: number | string;
}
export interface FindingView {
  key: string;
  rule: string;
  project: string;
  severity: string;
  status: string;
  title: string;
  evidence: EvidenceView[];
  suggestion: string;
  openedAt: string;
  resolvedAt?: string;
}

const evidenceLine = (e: EvidenceView) => `${e.detail}${e.value !== undefined ? ` = ${e.value}` : ''}${e.eventId ? ` [${e.eventId}]` : ''}`;

function findingLines(f: FindingView, full: boolean): string[] {
  const when = f.status === 'open' ? `open since ${f.openedAt}` : `resolved ${f.resolvedAt} (opened ${f.openedAt})`;
  const ev = full ? f.evidence.map((e) => `  - ${evidenceLine(e)}`) : [`  evidence: ${f.evidence.slice(0, 3).map(evidenceLine).join('; ')}`];
  return [`[${f.severity}] ${f.title} — ${f.project}, ${when}`, `  key: ${f.key}`, `  → ${f.suggestion}`, ...ev];
}

export function renderList(v: { findings: FindingView[]; openTotal: number; truncated: boolean; note?: string; problems?: string[] }): string {
  const lines = [`${v.openTotal} open bottleneck${v.openTotal === 1 ? '' : 's'}; showing ${v.findings.length}${v.truncated ? ' (more: raise limit or filter)' : ''}`];
  for (const f of v.findings) lines.push(...findingLines(f, false));
  if (v.note) lines.push(v.note);
  if (v.problems?.length) lines.push('rule settings problems:', ...v.problems.map((p) => `  - ${p}`));
  return lines.join('\n');
}

export function renderExplain(v: { finding: FindingView; resolvedBefore: number }): string {
  return [...findingLines(v.finding, true), `resolved before: ${v.resolvedBefore} time${v.resolvedBefore === 1 ? '' : 's'}`].join('\n');
}
