// Generating a report end to end: collect → render → (write a file) → record → event; and a
// scheduled run with delivery. No kernel imports: sources and side effects are passed in.
import { basename, join } from 'node:path';
import { collect, type ReportSources } from './collect.js';
import type { ReportsConfig, ScheduleSpec } from './config.js';
import type { NotificationsApi } from './contracts.js';
import { expandPath, projectTag, writeAtomic } from './deliver.js';
import { dayKey, windowFor, type Period } from './period.js';
import { EXT, render } from './render.js';
import type { ReportData, ReportFormat } from './report-data.js';
import { oneLine } from './sections.js';
import type { ReportStore } from './store.js';

/** What `generate` takes (the plugin API and the CLI `devflow report`). */
export interface ReportQuery {
  period: Period;
  format: ReportFormat;
  /** A project root (as in events' `project`); null or absent: all projects. */
  project?: string | null;
  /** A time (epoch ms) inside the period to report; default now. */
  end?: number;
  /** For `week`: the number of weeks, ending with the week that contains `end` (1–26, default 1). */
  weeks?: number;
}

export interface GeneratedEvent {
  period: Period;
  format: ReportFormat;
  from: number;
  to: number;
  file: string | null;
  bytes: number;
}

export interface ServiceDeps {
  sources: () => ReportSources;
  notifications: () => NotificationsApi | undefined;
  store: ReportStore;
  config: ReportsConfig;
  /** Where generated files go by default (`<dataDir>/reports`). */
  reportsDir: string;
  emit: (e: GeneratedEvent) => void;
  now?: () => number;
}

export class ReportService {
  constructor(private readonly deps: ServiceDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** The report as data (what the JSON format holds). */
  data(q: Omit<ReportQuery, 'format'>): ReportData {
    const c = this.deps.config;
    if (q.weeks !== undefined && (!Number.isInteger(q.weeks) || q.weeks < 1 || q.weeks > 26)) throw new Error(`weeks must be an integer from 1 to 26, not ${String(q.weeks)}`);
    if (q.end !== undefined && !Number.isFinite(q.end)) throw new Error(`end must be epoch milliseconds, not ${String(q.end)}`);
    const now = this.now();
    return collect(this.deps.sources(), {
      period: q.period,
      at: q.end ?? now,
      project: q.project ?? null,
      weeks: q.period === 'week' ? q.weeks : undefined,
      timeZone: c.timeZone,
      sprint: c.sprint,
      now,
      maxItems: c.maxItems,
      redStreakMinRuns: c.redStreakMinRuns,
    });
  }

  /** Render a report: `{ content, from, to, mime }` (the contract's `generate`); emits `reports.report.generated` with `file: null`. */
  generate(q: ReportQuery): { content: string; from: number; to: number; mime: string; data: ReportData } {
    const data = this.data(q);
    const { content, mime } = render(data, q.format);
    this.deps.emit({ period: q.period, format: q.format, from: data.from, to: data.to, file: null, bytes: Buffer.byteLength(content) });
    return { content, from: data.from, to: data.to, mime, data };
  }

  /** The default file of a report: `<reportsDir>/<period>-<first day>[-<n>w]-<project tag>.<ext>` (regenerating overwrites it). */
  defaultFile(data: ReportData, format: ReportFormat, weeks?: number): string {
    const w = weeks && weeks > 1 ? `-${weeks}w` : '';
    return join(this.deps.reportsDir, `${data.period}-${dayKey(data.from, data.timeZone)}${w}-${projectTag(data.project)}.${EXT[format]}`);
  }

  /** Render and write atomically to `file` (default: {@link defaultFile}); records it for `reports_list`. */
  save(q: ReportQuery, file?: string, schedule: string | null = null): { file: string; bytes: number; from: number; to: number; mime: string; data: ReportData } {
    const data = this.data(q);
    const { content, mime } = render(data, q.format);
    const target = file ?? this.defaultFile(data, q.format, q.weeks);
    const bytes = writeAtomic(target, content);
    this.deps.store.recordGenerated({ at: data.generatedAt, period: q.period, format: q.format, project: data.project, from: data.from, to: data.to, file: target, bytes, schedule });
    this.deps.emit({ period: q.period, format: q.format, from: data.from, to: data.to, file: target, bytes });
    return { file: target, bytes, from: data.from, to: data.to, mime, data };
  }

  /** One scheduled run at `firedAt`: write the file, then notify (attached by path) when asked. */
  async runSchedule(s: ScheduleSpec, firedAt: number): Promise<{ file: string; bytes: number; channels: string[] | null }> {
    const c = this.deps.config;
    const wo = { timeZone: c.timeZone, sprint: c.sprint, weeks: s.period === 'week' ? s.weeks : undefined };
    const end = s.which === 'current' ? firedAt : windowFor(s.period, firedAt, wo).from - 1;
    const q: ReportQuery = { period: s.period, format: s.format, project: s.project ?? null, end, ...(s.weeks !== undefined ? { weeks: s.weeks } : {}) };
    let file: string | undefined;
    if (s.deliver.file) {
      const w = windowFor(s.period, end, wo);
      file = expandPath(s.deliver.file, { date: dayKey(w.from, c.timeZone), period: s.period, name: s.name, ext: EXT[s.format], project: projectTag(q.project ?? null) }, this.deps.reportsDir);
    }
    const saved = this.save(q, file, s.name);
    if (!s.deliver.notify) return { file: saved.file, bytes: saved.bytes, channels: null };
    const notifications = this.deps.notifications();
    if (!notifications) throw new Error(`schedule "${s.name}": deliver.notify is set but the notifications plugin is not enabled; the report was written to ${saved.file}`);
    const r = await notifications.notify({
      title: `DevFlow ${saved.data.label} report${q.project ? ` (${q.project})` : ''}`,
      body: oneLine(saved.data),
      severity: 'info',
      project: q.project ?? null,
      key: `reports:${s.name}:${saved.from}`,
      source: 'reports',
      attachments: [{ name: basename(saved.file), path: saved.file }],
    });
    return { file: saved.file, bytes: saved.bytes, channels: r.channels };
  }
}
