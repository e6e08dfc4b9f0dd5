// One entry for the three formats. Pure.
import type { ReportData, ReportFormat } from './report-data.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';

export const MIME: Readonly<Record<ReportFormat, string>> = {
  markdown: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  json: 'application/json',
};
export const EXT: Readonly<Record<ReportFormat, string>> = { markdown: 'md', html: 'html', json: 'json' };

/** Render a report in one format: `{ content, mime }`. */
export function render(data: ReportData, format: ReportFormat): { content: string; mime: string } {
  const content = format === 'html' ? renderHtml(data) : format === 'markdown' ? renderMarkdown(data) : `${JSON.stringify(data, null, 2)}\n`;
  return { content, mime: MIME[format] };
}
