// Compact text renderings of the tool outputs (what most clients show the model next to the JSON).

interface EvidenceView {
  rule: string;
  eventType: string;
  eventId?: string;
  detail: string;
}

export interface CurrentView {
  project: string | null;
  stage: string | null;
  subStage: string | null;
  since: string | null;
  confidence: number | null;
  evidence: EvidenceView[];
  lastEventAt: string | null;
  leading: { stage: string; share: number }[];
  note?: string;
}

export interface HistoryView {
  project: string | null;
  transitions: { from: string | null; to: string; subStage: string | null; at: string | null; durationMs: number | null; confidence: number; evidence: EvidenceView[] }[];
  total: number;
  truncated: boolean;
  timePerStage: { stage: string; ms: number; share: number }[];
  note?: string;
}

const minute = (iso: string | null) => (iso ? iso.replace(/:\d\d\.\d{3}Z$/, 'Z') : '?');
const pct = (x: number) => `${Math.round(x * 100)}%`;

/** 3d4h, 19h50m, 35m, 0m. */
export function span(ms: number): string {
  const m = Math.round(ms / 60_000);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const min = m % 60;
  return d ? `${d}d${h}h` : h ? `${h}h${min}m` : `${min}m`;
}

const stageName = (stage: string | null, sub: string | null) => (stage ? (sub ? `${stage}/${sub}` : stage) : 'none');
const evidenceLine = (e: EvidenceView) => `- ${e.rule}: ${e.detail} (${e.eventType}${e.eventId ? ` ${e.eventId}` : ''})`;

export function renderCurrent(v: CurrentView): string {
  const lines: string[] = [];
  if (v.stage) lines.push(`${v.project}: ${stageName(v.stage, v.subStage)} since ${minute(v.since)} (confidence ${pct(v.confidence ?? 0)}; last event ${minute(v.lastEventAt)})`);
  else lines.push(`${v.project ?? 'no project'}: no stage. ${v.note ?? ''}`.trim());
  if (v.leading.length) lines.push(`leading now: ${v.leading.map((l) => `${l.stage} ${pct(l.share)}`).join(', ')}`);
  if (v.evidence.length) lines.push('evidence:', ...v.evidence.map(evidenceLine));
  return lines.join('\n');
}

export function renderHistory(v: HistoryView): string {
  const lines = [`${v.project ?? 'no project'}: ${v.total} transition${v.total === 1 ? '' : 's'}${v.truncated ? ` (newest ${v.transitions.length} shown)` : ''}${v.note ? ` — ${v.note}` : ''}`];
  for (const t of v.transitions) {
    const top = t.evidence[0];
    lines.push(`${minute(t.at)} ${t.from ?? 'start'} → ${stageName(t.to, t.subStage)} (${pct(t.confidence)}, ${t.durationMs === null ? 'current' : span(t.durationMs)})${top ? ` — ${top.rule}: ${top.detail}` : ''}`);
  }
  if (v.timePerStage.length) lines.push(`time per stage: ${v.timePerStage.map((d) => `${d.stage} ${span(d.ms)} (${pct(d.share)})`).join(', ')}`);
  return lines.join('\n');
}
