// reports' MCP tools: generate a report (bounded answer) and list generated report files.
import { existsSync } from 'node:fs';
import { parseSince, type PluginContext } from '@devflow/plugin-sdk';
import type { ReportFormat } from './report-data.js';
import { oneLine } from './sections.js';
import type { ReportService } from './service.js';
import type { ReportStore } from './store.js';

/** Longest Markdown handed back to an assistant (a report is far smaller; this is a guard). */
export const MAX_MARKDOWN_CHARS = 60_000;

/** `ready`: resolves once reports' tables caught up with the log (awaited before answering). */
export function registerReportTools(ctx: Pick<PluginContext, 'tools'>, service: ReportService, store: ReportStore, ready: () => Promise<void>): void {
  ctx.tools.register(
    {
      name: 'report_generate',
      title: 'Generate a report',
      group: 'reports',
      description:
        'A daily, weekly or sprint report of one project or all: active time, commits, lines, test pass rate, builds, deploys, AI share and rework, DORA, time per stage and current stage, bottlenecks opened/resolved, hot files, busiest days, notable events (failed deploys, long red test streaks) and the change against the previous period. format "json" answers the structured report, "markdown" the Markdown text; "html" writes a self-contained HTML file (inline SVG charts) and answers its path, size and a one-line summary. end: a time inside the period (ISO date, epoch ms, or "7d" = 7 days ago; default now).',
      permission: 'reports:read',
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          period: { type: 'string', enum: ['day', 'week', 'sprint'], default: 'week' },
          format: { type: 'string', enum: ['markdown', 'html', 'json'], default: 'markdown' },
          project: { type: 'string', minLength: 1, maxLength: 4096, description: 'Project root path, as in events; omit for all projects.' },
          end: { type: 'string', maxLength: 64, description: 'A time inside the period to report: ISO date/time, epoch ms, or a duration back from now ("7d"). Default now.' },
          weeks: { type: 'integer', minimum: 1, maximum: 26, description: 'For period "week": how many weeks, ending with the week of `end` (default 1).' },
        },
      },
      outputSchema: {
        type: 'object',
        properties: {
          format: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          summary: { type: 'string' },
          report: { type: 'object' },
          markdown: { type: 'string' },
          truncated: { type: 'boolean' },
          file: { type: 'string' },
          bytes: { type: 'integer' },
        },
        required: ['format', 'from', 'to', 'summary'],
      },
      render: (o) =>
        o.format === 'html'
          ? `${o.summary}\nWrote ${o.file} (${Math.ceil((o.bytes ?? 0) / 1024)} KB, self-contained HTML).`
          : o.format === 'markdown'
            ? (o.markdown ?? o.summary)
            : `${o.summary}\n${JSON.stringify(o.report)}`,
    },
    async (args) => {
      await ready();
      let end: number | undefined;
      if (args.end !== undefined) {
        end = parseSince(args.end);
        if (end === undefined) throw new Error(`end "${args.end}" is not an ISO date, epoch ms or a duration like "7d"`);
      }
      const q = { period: args.period, format: args.format as ReportFormat, project: args.project ?? null, ...(end !== undefined ? { end } : {}), ...(args.weeks !== undefined ? { weeks: args.weeks } : {}) };
      const iso = (t: number) => new Date(t).toISOString();
      if (q.format === 'html') {
        const s = service.save(q);
        return { format: 'html', from: iso(s.from), to: iso(s.to), summary: oneLine(s.data), file: s.file, bytes: s.bytes };
      }
      const g = service.generate(q);
      const base = { format: q.format, from: iso(g.from), to: iso(g.to), summary: oneLine(g.data) };
      if (q.format === 'json') return { ...base, report: g.data as unknown as Record<string, unknown> };
      const truncated = g.content.length > MAX_MARKDOWN_CHARS;
      return { ...base, markdown: truncated ? `${g.content.slice(0, MAX_MARKDOWN_CHARS)}\n\n… (cut; ask for format "html" for the whole report)` : g.content, truncated };
    },
  );

  ctx.tools.register(
    {
      name: 'reports_list',
      title: 'Generated report files',
      group: 'reports',
      description:
        'Report files generated recently (by report_generate with format "html", by schedules, or by the CLI), newest first: when, period, format, project, window, path, size, the schedule that made it, and whether the file still exists.',
      permission: 'reports:read',
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        properties: { limit: { type: 'integer', minimum: 1, maximum: 50, default: 10 } },
      },
      outputSchema: {
        type: 'object',
        properties: { reports: { type: 'array', items: { type: 'object' } } },
        required: ['reports'],
      },
      render: (o) =>
        o.reports.length
          ? o.reports.map((r) => { const x = r as Record<string, unknown>; return `${String(x.at)} ${String(x.period)} ${String(x.format)} ${String(x.file)} (${String(x.bytes)} B${x.schedule ? `, schedule ${String(x.schedule)}` : ''}${x.exists ? '' : ', deleted'})`; }).join('\n')
          : 'No report files generated yet.',
    },
    ({ limit }) => ({
      reports: store.generated(limit).map((r) => ({
        at: new Date(r.at).toISOString(),
        period: r.period,
        format: r.format,
        project: r.project,
        from: new Date(r.from).toISOString(),
        to: new Date(r.to).toISOString(),
        file: r.file,
        bytes: r.bytes,
        schedule: r.schedule,
        exists: existsSync(r.file),
      })),
    }),
  );
}
