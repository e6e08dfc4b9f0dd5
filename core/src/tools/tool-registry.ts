import type { Disposable, Logger, Principal, ToolCallInfo, ToolDefinition, ToolHandler, ToolProgress } from '@devflow/plugin-sdk';
import { PluginError, messageOf, type ErrorCode } from '../errors.js';
import type { HookRegistry } from '../hooks/hook-registry.js';
import type { Rbac } from '../rbac/rbac.js';
import type { AuditLog } from '../storage/audit.js';
import { formatPath, type SchemaValidator, type Validate } from '../validator.js';
import { checkToolDefinition } from './tool-check.js';

/** How long a tool call may run unless its definition says otherwise. */
export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;

/**
 * One signal that aborts, with the same reason, as soon as any of `sources` does (or at once if
 * one already has), like AbortSignal.any but without its cost on every call (~20 µs, plus weak
 * references the GC has to sweep). `detach` unhooks it from the sources once the call is over, so
 * long-lived sources (the plugin's signal) do not collect a listener per call.
 */
function anySignal(sources: readonly AbortSignal[]): { signal: AbortSignal; detach(): void } {
  const combined = new AbortController();
  const already = sources.find((s) => s.aborted);
  if (already) {
    combined.abort(already.reason);
    return { signal: combined.signal, detach: () => {} };
  }
  const detach = () => {
    for (const s of sources) s.removeEventListener('abort', onAbort);
  };
  function onAbort(this: AbortSignal) {
    detach();
    combined.abort(this.reason);
  }
  for (const s of sources) s.addEventListener('abort', onAbort);
  return { signal: combined.signal, detach };
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof (v as PromiseLike<unknown> | null)?.then === 'function';

/** The plugin side a tool call needs: its signal, in-flight tracking and logger. */
export interface ToolOwner {
  readonly id: string;
  readonly permissions: ReadonlySet<string>;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  track<T>(work: Promise<T>): Promise<T>;
}

interface Registered {
  owner: ToolOwner;
  def: ToolDefinition;
  handler: ToolHandler<never, unknown>;
  validateInput: Validate;
  validateOutput: Validate | undefined;
  /** The tool's logger, made on its first call (a pino child per call costs more than the rest of the path). */
  logger?: Logger;
  /** What `get` answers, made once. */
  info?: ToolInfo;
}

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (update: ToolProgress) => void;
  /**
   * The arguments are the caller's to give away (parsed from a request just for this call), so
   * validation may fill in defaults in place instead of working on a copy.
   */
  argsOwned?: boolean;
}

export type ToolResult =
  | { ok: true; value: unknown; durationMs: number }
  | { ok: false; error: { code: ErrorCode; message: string; plugin?: string | undefined; issues?: { path: string; message: string }[] }; durationMs: number };

export interface ToolInfo extends ToolDefinition {
  plugin: string;
}

/**
 * All tools of all started plugins, and the one path every call takes (MCP, CLI, HTTP, tests):
 * lookup → RBAC → input validation → beforeToolCall → handler → output check → afterToolCall →
 * audit. Failures come back as results with a code, never as throws.
 */
export class ToolRegistry {
  private readonly tools = new Map<string, Registered>();
  private readonly changeListeners = new Set<() => void>();
  /** `list()`'s answer until the tools change (status and tools/list ask for it on every call). */
  private listed: readonly ToolInfo[] | undefined;
  private byPlugin: ReadonlyMap<string, readonly string[]> | undefined;

  constructor(
    private readonly validator: SchemaValidator,
    private readonly rbac: Rbac,
    private readonly hooks: HookRegistry,
    private readonly audit: AuditLog,
  ) {}

  register(owner: ToolOwner, def: ToolDefinition, handler: ToolHandler<never, unknown>): Disposable {
    checkToolDefinition(owner, def, this.validator, this.tools.get(def.name)?.owner.id);
    const entry: Registered = {
      owner,
      def,
      handler,
      validateInput: this.validator.lazy(def.inputSchema),
      validateOutput: def.outputSchema ? this.validator.lazy(def.outputSchema) : undefined,
    };
    this.tools.set(def.name, entry);
    this.changed();
    return {
      dispose: () => {
        if (this.tools.get(def.name) === entry) {
          this.tools.delete(def.name);
          this.changed();
        }
      },
    };
  }

  /** Called whenever the tool list changes (MCP sends notifications/tools/list_changed). */
  onChange(listener: () => void): Disposable {
    this.changeListeners.add(listener);
    return { dispose: () => void this.changeListeners.delete(listener) };
  }

  private changed(): void {
    this.listed = this.byPlugin = undefined;
    for (const l of this.changeListeners) l();
  }

  /** Every registered tool, by name (code-unit order: names are snake_case ASCII). */
  list(): ToolInfo[] {
    this.listed ??= [...this.tools.keys()].map((name) => this.get(name) as ToolInfo).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return [...this.listed];
  }

  /** The names of each plugin's tools, sorted (frozen; made again when the tools change). */
  namesByPlugin(): ReadonlyMap<string, readonly string[]> {
    if (this.byPlugin) return this.byPlugin;
    const by = new Map<string, string[]>();
    for (const t of this.list()) by.set(t.plugin, [...(by.get(t.plugin) ?? []), t.name]);
    for (const names of by.values()) Object.freeze(names);
    return (this.byPlugin = by);
  }

  get(name: string): ToolInfo | undefined {
    const t = this.tools.get(name);
    return t ? (t.info ??= Object.freeze({ ...t.def, plugin: t.owner.id })) : undefined;
  }

  async call(name: string, args: unknown, principal: Principal, options: CallOptions = {}): Promise<ToolResult> {
    const started = performance.now();
    const tool = this.tools.get(name);
    const fail = (code: ErrorCode, message: string, extra: Record<string, unknown> = {}): ToolResult => ({
      ok: false,
      error: { code, message, plugin: tool?.owner.id, ...extra },
      durationMs: performance.now() - started,
    });
    if (!tool) {
      // Audited too: every call, including probes for tools that do not exist (or no longer do).
      this.audit.record({ principal: principal.id, role: principal.role, target: name, action: 'tool:call', outcome: 'error', detail: { code: 'KRN_ERR_TOOL_NOT_FOUND' } });
      return fail('KRN_ERR_TOOL_NOT_FOUND', `no tool named "${name}"; list the tools to see what exists`);
    }
    const { def, owner } = tool;
    const principalFields = { principal: principal.id, role: principal.role, target: name };

    if (!this.rbac.can(principal, def.permission)) {
      this.audit.record({ ...principalFields, action: 'tool:call', outcome: 'denied', detail: { permission: def.permission } });
      return fail('KRN_ERR_FORBIDDEN', `${principal.id} (role ${principal.role}) lacks ${def.permission}, which ${name} needs`);
    }

    const input = (options.argsOwned && args !== undefined && args !== null ? args : structuredClone(args ?? {})) as Record<string, unknown>;
    let issues: ReturnType<Validate>;
    try {
      issues = tool.validateInput(input);
    } catch (e) {
      this.audit.record({ ...principalFields, action: 'tool:call', outcome: 'error', detail: { code: 'KRN_ERR_TOOL_INVALID' } });
      return fail('KRN_ERR_TOOL_INVALID', `${name}'s inputSchema does not compile (${e instanceof Error ? e.message : String(e)}); this is a bug in plugin "${owner.id}"`);
    }
    if (issues.length) {
      const list = issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
      this.audit.record({ ...principalFields, action: 'tool:call', outcome: 'error', durationMs: performance.now() - started, detail: { code: 'KRN_ERR_TOOL_INPUT' } });
      return fail('KRN_ERR_TOOL_INPUT', `invalid arguments for ${name}: ${list.map((i) => `${i.path === '(root)' ? 'arguments' : i.path} ${i.message}`).join('; ')}`, { issues: list });
    }

    const info: ToolCallInfo = { tool: name, plugin: owner.id, principal, args: input };
    // The rest of the call is in-flight work of the tool's plugin: stopping it (or the kernel) waits
    // for the hooks and the audit write too, not only the handler, so the database is still open.
    return owner.track(this.complete(tool, info, options, started, principalFields));
  }

  private async complete(tool: Registered, info: ToolCallInfo, options: CallOptions, started: number, principalFields: { principal: string; role: string; target: string }): Promise<ToolResult> {
    const result = await this.invoke(tool, info, options, started);
    const durationMs = performance.now() - started;
    const outcome = result.ok ? 'ok' : result.error.code === 'KRN_ERR_TOOL_VETOED' ? 'vetoed' : 'error';
    await this.hooks.call('afterToolCall', info, {
      ok: result.ok,
      durationMs,
      ...(result.ok ? {} : { error: { code: result.error.code, message: result.error.message } }),
    });
    this.audit.record({ ...principalFields, action: 'tool:call', outcome, durationMs, detail: result.ok ? undefined : { code: result.error.code } });
    return { ...result, durationMs };
  }

  private async invoke(tool: Registered, info: ToolCallInfo, options: CallOptions, started: number): Promise<ToolResult> {
    const { def, owner } = tool;
    const took = () => performance.now() - started;
    const decision = (await this.hooks.call('beforeToolCall', info)) as { veto?: string; result?: unknown } | undefined;
    if (decision && 'veto' in decision) {
      return { ok: false, error: { code: 'KRN_ERR_TOOL_VETOED', message: `call to ${def.name} refused: ${decision.veto}`, plugin: owner.id }, durationMs: took() };
    }
    const logger = (tool.logger ??= owner.logger.child({ tool: def.name }));
    // A hook's cached answer must honour the tool's outputSchema just like the handler's.
    if (decision && 'result' in decision) return this.checkOutput(tool, decision.result, logger, took);

    // The handler sees one signal: the caller cancelled, the plugin is stopping, or time ran out. It
    // is made on first use: most handlers answer synchronously and never look at it, and the
    // controller, listeners and timer cost more than a cheap handler does.
    const timeoutMs = def.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
    let scope: { deadline: AbortController; signal: AbortSignal; detach(): void } | undefined;
    const open = () => {
      if (scope) return scope;
      const deadline = new AbortController();
      return (scope = { deadline, ...anySignal(options.signal ? [deadline.signal, owner.signal, options.signal] : [deadline.signal, owner.signal]) });
    };
    const failed = (e: unknown): ToolResult => {
      const code: ErrorCode = e instanceof PluginError ? e.code : 'KRN_ERR_TOOL_FAILED';
      logger.warn({ err: e, code }, 'tool call failed');
      return { ok: false, error: { code, message: e instanceof PluginError ? e.detail : `${def.name} failed: ${messageOf(e)}`, plugin: owner.id }, durationMs: took() };
    };
    let value: unknown;
    try {
      value = tool.handler(info.args as never, {
        principal: info.principal,
        logger,
        progress: (u) => options.onProgress?.(u),
        get signal() {
          return open().signal;
        },
      });
    } catch (e) {
      scope?.detach();
      return failed(e);
    }
    if (!isThenable(value)) {
      scope?.detach();
      return this.checkOutput(tool, value, logger, took);
    }
    const { deadline, detach } = open();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new PluginError('KRN_ERR_TOOL_TIMEOUT', { plugin: owner.id, phase: 'tool', detail: `${def.name} did not answer within ${timeoutMs} ms and was cancelled` });
        deadline.abort(err);
        reject(err);
      }, timeoutMs);
    });
    const work = Promise.resolve(value);
    work.catch(() => {}); // after a timeout the handler may still fail; that is already answered
    try {
      value = await Promise.race([work, timedOut]);
    } catch (e) {
      return failed(e);
    } finally {
      clearTimeout(timer);
      detach();
    }
    return this.checkOutput(tool, value, logger, took);
  }

  private checkOutput(tool: Registered, value: unknown, logger: Logger, took: () => number): ToolResult {
    let bad: ReturnType<Validate>;
    try {
      bad = tool.validateOutput?.(value) ?? [];
    } catch (e) {
      bad = [{ path: [], message: `(the outputSchema does not compile: ${e instanceof Error ? e.message : String(e)})` }];
    }
    if (bad.length) {
      const message = `${tool.def.name} returned a result that does not match its outputSchema: ${bad.map((i) => `${formatPath(i.path)} ${i.message}`).join('; ')}`;
      logger.error({ code: 'KRN_ERR_TOOL_FAILED' }, message);
      return { ok: false, error: { code: 'KRN_ERR_TOOL_FAILED', message, plugin: tool.owner.id }, durationMs: took() };
    }
    return { ok: true, value, durationMs: took() };
  }
}
