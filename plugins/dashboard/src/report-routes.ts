// Two small routes the browser needs because report_generate writes HTML reports to a file rather
// than returning them: generate-and-return an HTML report, and return a listed report file. Both
// go through the kernel's tool path as the caller (RBAC, audit), so they grant nothing a tool call
// would not; a file is served only when reports_list lists it.
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Principal, ToolCallResult } from '@devflow/plugin-sdk';
import { dashError, statusForToolError } from './errors.js';
import type { RawResponse, RouteDefinition } from './http-contract.js';

export type CallTool = (name: string, args: unknown, principal: Principal, options?: { signal?: AbortSignal }) => Promise<ToolCallResult>;

/** Largest report file served (reports are tens of KB; this bounds a corrupted or foreign file). */
export const MAX_REPORT_BYTES = 16 * 1024 * 1024;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

async function call(callTool: CallTool, name: string, args: unknown, principal: Principal, signal: AbortSignal): Promise<Record<string, unknown>> {
  const r = await callTool(name, args, principal, { signal });
  if (!r.ok) throw Object.assign(new Error(r.error.message), { status: statusForToolError(r.error.code), code: r.error.code });
  return (r.value ?? {}) as Record<string, unknown>;
}

async function fileResponse(file: string, download: boolean): Promise<RawResponse> {
  const s = await stat(file).catch(() => null);
  if (!s?.isFile()) throw dashError('DASH_ERR_REPORT_FILE', `report file ${file} is gone; generate the report again`, 404);
  if (s.size > MAX_REPORT_BYTES) throw dashError('DASH_ERR_REPORT_FILE', `report file ${file} is ${s.size} bytes, over the ${MAX_REPORT_BYTES}-byte limit`, 413);
  const type = TYPES[extname(file).toLowerCase()] ?? 'text/plain; charset=utf-8';
  const name = file.split(/[\\/]/).pop() ?? 'report';
  return {
    status: 200,
    headers: {
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // The report is shown in a sandboxed frame; it needs no scripts and no network.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
      ...(download ? { 'content-disposition': `attachment; filename="${name.replace(/["\\\r\n]/g, '_')}"` } : {}),
    },
    body: await readFile(file),
  };
}

const reportQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    period: { enum: ['day', 'week', 'sprint'], default: 'week' },
    project: { type: 'string', minLength: 1, maxLength: 4096 },
    end: { type: 'string', minLength: 1, maxLength: 64 },
    weeks: { type: 'integer', minimum: 1, maximum: 26 },
    download: { type: 'boolean' },
  },
};

export function reportRoutes(plugin: string, callTool: CallTool): RouteDefinition[] {
  return [
    {
      plugin,
      method: 'GET',
      path: '/api/v1/dashboard/report',
      permission: 'reports:read',
      description: 'Generate an HTML report (report_generate, format html) and answer with the page itself. Query: period day|week|sprint, project, end, weeks, download.',
      query: reportQuery,
      async handler({ query, principal, signal }) {
        const { download, ...rest } = query as { download?: boolean; period?: string };
        const r = await call(callTool, 'report_generate', { period: 'week', ...rest, format: 'html' }, principal, signal);
        if (typeof r.file !== 'string') throw dashError('DASH_ERR_REPORT_FILE', 'report_generate answered without a file for the HTML report', 500);
        return fileResponse(r.file, download === true);
      },
    },
    {
      plugin,
      method: 'GET',
      path: '/api/v1/dashboard/report-file',
      permission: 'reports:read',
      description: 'One report file that reports_list lists (the `file` field), as HTML, Markdown or JSON. Query: file, download.',
      query: { type: 'object', additionalProperties: false, required: ['file'], properties: { file: { type: 'string', minLength: 1, maxLength: 4096 }, download: { type: 'boolean' } } },
      async handler({ query, principal, signal }) {
        const { file, download } = query as { file: string; download?: boolean };
        const r = await call(callTool, 'reports_list', { limit: 50 }, principal, signal);
        const listed = Array.isArray(r.reports) && r.reports.some((x) => (x as { file?: unknown }).file === file);
        if (!listed) throw dashError('DASH_ERR_REPORT_FILE', 'that file is not among the recent reports (reports_list); pick one from the list', 404);
        return fileResponse(file, download === true);
      },
    },
  ];
}
