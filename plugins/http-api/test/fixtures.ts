import { definePlugin } from '@devflow/plugin-sdk';
import type { HttpApi } from '../src/index.js';

/** A plugin that registers routes through the http-api, as the dashboard and others do. */
export const reporter = definePlugin({
  id: 'reporter',
  version: '1.0.0',
  kernel: '^1.0.0',
  dependencies: { 'http-api': '^1.0.0' },
  permissions: ['reports:read', 'reports:write'],
  start(ctx) {
    const http = ctx.use('http-api') as HttpApi;
    const saved = new Map<string, unknown>();
    http.route({
      plugin: ctx.id,
      method: 'GET',
      path: '/api/v1/reports/:id',
      permission: 'reports:read',
      description: 'one report by id',
      query: { type: 'object', additionalProperties: false, properties: { format: { enum: ['json', 'csv'], default: 'json' }, limit: { type: 'integer', minimum: 1, maximum: 10 } } },
      handler: ({ params, query, principal }) => {
        if (params.id === 'missing') throw Object.assign(new Error(`no report "${params.id}"`), { status: 404, code: 'REPORTER_NOT_FOUND' });
        if (query.format === 'csv') return { status: 200, headers: { 'content-type': 'text/csv; charset=utf-8' }, body: `id,who\n${params.id},${principal.id}\n` };
        return { id: params.id, query, who: principal.id, saved: saved.get(params.id as string) ?? null };
      },
    });
    http.route({
      plugin: ctx.id,
      method: 'PUT',
      path: '/api/v1/reports/:id',
      permission: 'reports:write',
      description: 'store a report',
      body: { type: 'object', additionalProperties: false, required: ['title'], properties: { title: { type: 'string', minLength: 1, maxLength: 100 }, pages: { type: 'integer', minimum: 1 } } },
      handler: ({ params, body }) => {
        saved.set(params.id as string, body);
        return { stored: params.id, body };
      },
    });
    http.route({
      plugin: ctx.id,
      method: 'GET',
      path: '/api/v1/reports-slow',
      permission: 'reports:read',
      description: 'waits until the request is aborted',
      handler: ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    });
    http.route({
      plugin: ctx.id,
      method: 'GET',
      path: '/api/v1/reports-broken',
      permission: 'reports:read',
      description: 'throws',
      handler: () => {
        throw new Error('the report store is gone');
      },
    });
    return { http };
  },
});
