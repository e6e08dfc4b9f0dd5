import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyPluginDefinition, PluginApi, Principal, Role, StoredEvent } from '@devflow/plugin-sdk';
import type { KernelConfigInput } from '../config/schema.js';
import { Kernel } from '../kernel.js';
import { createRootLogger } from '../logger.js';
import type { ReconcileReport } from '../plugins/supervisor.js';
import type { CallOptions, ToolResult } from '../tools/tool-registry.js';

export interface TestKernelOptions {
  plugins?: readonly AnyPluginDefinition[];
  /** Kernel config; plugin options go under `plugins.<id>.config`. */
  config?: KernelConfigInput;
  /** 'file' (default): a real SQLite file in a temp dir. 'memory': an in-memory database. */
  database?: 'file' | 'memory';
  /** Resolve even when plugins fail to start (to test failures). Default: throw, listing them. */
  allowFailures?: boolean;
  /** A node:test context: the kernel is closed after the test. */
  t?: { after(fn: () => unknown): void };
  /** Extra environment (DEVFLOW_HOME is set to the temp dir). */
  env?: NodeJS.ProcessEnv;
  /**
   * Use this directory as DEVFLOW_HOME (its `devflow.db`) instead of a fresh temp dir, and leave it
   * in place on close: how a test opens a second kernel on the database a first one wrote.
   */
  home?: string;
}

export interface LogRecord {
  level: number;
  msg?: string;
  plugin?: string;
  code?: string;
  [key: string]: unknown;
}

export interface TestKernel {
  readonly kernel: Kernel;
  /** Temp directory used as DEVFLOW_HOME (removed on close). */
  readonly home: string;
  readonly report: ReconcileReport;
  /** Every log line, parsed. */
  readonly logs: LogRecord[];
  /** Every event committed to the log, in order. */
  readonly events: StoredEvent[];
  /** Call a tool through the same path MCP uses, as the local user (role developer by default). */
  callTool(name: string, args?: unknown, options?: CallOptions): Promise<ToolResult>;
  /** The same, as another principal or role. */
  as(who: Principal | Role): { callTool(name: string, args?: unknown, options?: CallOptions): Promise<ToolResult> };
  /** The API a started plugin returned from `start` (throws if it is not running). */
  use<P extends AnyPluginDefinition>(plugin: P): PluginApi<P>;
  /** Commit queued events now. */
  flush(): void;
  /** Resolve with the first committed event matching, waiting up to `timeoutMs` (default 2 s). */
  waitForEvent(match: (e: StoredEvent) => boolean, timeoutMs?: number): Promise<StoredEvent>;
  close(): Promise<void>;
}

/**
 * A kernel for tests: a temp home and database, captured logs, recorded events, tool calls through
 * the real path, and cleanup. Fails loudly when a plugin does not start, unless `allowFailures`.
 *
 * @example
 * ```ts
 * const tk = await createTestKernel({ plugins: [myPlugin], t });
 * const r = await tk.callTool('hello_greet', { name: 'Ada' });
 * assert.ok(r.ok);
 * ```
 */
export async function createTestKernel(options: TestKernelOptions = {}): Promise<TestKernel> {
  const owned = !options.home;
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'devflow-test-'));
  const logs: LogRecord[] = [];
  const echo = process.env.DEVFLOW_TEST_LOGS === '1';
  const logger = createRootLogger({
    level: 'debug',
    destination: {
      write(chunk: string) {
        for (const line of chunk.split('\n')) if (line) logs.push(JSON.parse(line) as LogRecord);
        if (echo) process.stderr.write(chunk);
      },
    },
  });
  let kernel: Kernel;
  try {
    kernel = Kernel.open({
      config: { ...options.config, kernel: { watchConfig: false, ...options.config?.kernel } },
      plugins: options.plugins ?? [],
      databasePath: options.database === 'memory' ? ':memory:' : join(home, 'devflow.db'),
      logger,
      cwd: home,
      env: { ...process.env, ...options.env, DEVFLOW_HOME: home },
      watchConfig: false,
    });
  } catch (e) {
    if (owned) rmSync(home, { recursive: true, force: true });
    throw e;
  }
  const events: StoredEvent[] = [];
  const waiters = new Set<{ match: (e: StoredEvent) => boolean; resolve: (e: StoredEvent) => void }>();
  kernel.hooks.tap('eventStored', 'test-harness', (batch: unknown) => {
    for (const e of batch as StoredEvent[]) {
      events.push(e);
      for (const w of waiters) if (w.match(e)) (waiters.delete(w), w.resolve(e));
    }
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await kernel.stop();
    if (owned) rmSync(home, { recursive: true, force: true });
  };
  options.t?.after(close);
  const report = await kernel.start();
  if (report.problems.length && !options.allowFailures) {
    await close();
    throw new Error(`plugins did not start:\n${report.problems.map((p) => `  ${p.message}`).join('\n')}`);
  }
  const callAs = (principal: Principal) => (name: string, args: unknown = {}, opts?: CallOptions) => kernel.callTool(name, args, principal, opts);
  return {
    kernel,
    home,
    report,
    logs,
    events,
    callTool: callAs(kernel.localPrincipal),
    as: (who) => ({ callTool: callAs(typeof who === 'string' ? { id: `test:${who}`, kind: 'user', role: who } : who) }),
    use(plugin) {
      const api = kernel.pluginApi(plugin.id);
      if (api === undefined && !kernel.status().plugins.some((p) => p.id === plugin.id && p.state === 'started')) {
        throw new Error(`plugin "${plugin.id}" is not running`);
      }
      return api as never;
    },
    flush: () => void kernel.flush(),
    waitForEvent(match, timeoutMs = 2000) {
      const found = events.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { match, resolve: (e: StoredEvent) => (clearTimeout(timer), resolve(e)) };
        const timer = setTimeout(() => (waiters.delete(w), reject(new Error(`no matching event within ${timeoutMs} ms`))), timeoutMs);
        waiters.add(w);
      });
    },
    close,
  };
}
export { eventSources, replay, type RecordedEvent } from './replay.js';
