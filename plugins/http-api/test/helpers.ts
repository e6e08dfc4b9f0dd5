import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { createTestKernel, type TestKernel } from '@devflow/core/testing';
import { definePlugin, type AnyPluginDefinition, type Severity } from '@devflow/plugin-sdk';
import httpApi from '../src/index.js';
import type { HttpApi } from '../src/index.js';

/** A stand-in event source: emits `probe.<noun>.<verb>` events on demand. */
export const probe = definePlugin({
  id: 'probe',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: 'stand-in event source for the http-api tests',
  start(ctx) {
    return {
      emit: (type: string, data: Record<string, unknown>, project: string | null = null, severity: Severity = 'info') =>
        ctx.events.emit(`probe.${type}`, data, { project, severity }),
    };
  },
});

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  body: Buffer;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  token?: string;
}

/** One HTTP request with full control of the headers (Host included). */
export function request(url: string, options: RequestOptions = {}): Promise<Reply> {
  const u = new URL(url);
  const headers: Record<string, string> = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers };
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method: options.method ?? 'GET', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Request with a raw path (no URL normalisation: `/../`, `%2e%2e` reach the server as written). */
export function rawGet(base: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path, method: 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: body.toString('utf8'), body, json: () => JSON.parse(body.toString('utf8')) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export async function waitFor<T>(fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Api {
  tk: TestKernel;
  api: HttpApi;
  url: string;
  /** The local token (role = localRole, admin by default). */
  token: string;
  emit(type: string, data: Record<string, unknown>, project?: string | null): Promise<unknown>;
}

interface StartOptions {
  config?: Record<string, unknown>;
  plugins?: readonly AnyPluginDefinition[];
  kernel?: Record<string, unknown>;
  home?: string;
  admin?: boolean;
}

/** A kernel with http-api (port 0), admin and the probe source; resolves once it listens. */
export async function startApi(t: { after(fn: () => unknown): void }, options: StartOptions = {}): Promise<Api> {
  const tk = await createTestKernel({
    plugins: [httpApi, probe, ...(options.plugins ?? [])],
    config: {
      plugins: { admin: { enabled: options.admin ?? true }, 'http-api': { config: { port: 0, ...options.config } } },
      ...(options.kernel ? { kernel: options.kernel } : {}),
    },
    ...(options.home ? { home: options.home } : {}),
    t,
  });
  const api = tk.use(httpApi);
  const url = await waitFor(() => api.url(), 'http-api to listen');
  const token = readFileSync(join(tk.home, 'http-token'), 'utf8').trim();
  const source = tk.use(probe);
  return { tk, api, url, token, emit: (type, data, project = null) => source.emit(type, data, project) };
}

/** The Host header a loopback client sends for `url`. */
export const hostOf = (url: string) => new URL(url).host;
