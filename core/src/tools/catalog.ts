import type { Disposable, Logger, Principal, PromptDefinition, PromptMessages, RequestContext, ResourceContent, ResourceDefinition } from '@devflow/plugin-sdk';
import { PluginError, messageOf, type ErrorCode } from '../errors.js';
import type { Rbac } from '../rbac/rbac.js';
import type { AuditLog } from '../storage/audit.js';
import type { ToolOwner } from './tool-registry.js';
import { TOOL_NAME_RE } from './tool-check.js';

export type CatalogResult<T> = { ok: true; value: T } | { ok: false; error: { code: ErrorCode; message: string } };

interface Entry<D, F> {
  owner: ToolOwner;
  def: D;
  fn: F;
}

const URI_RE = /^devflow:\/\/([a-z][a-z0-9-]*)\/[\w\-./]+$/;

/**
 * Resources or prompts of started plugins, keyed by URI or name: registration checks (format,
 * declared permission, duplicates), listing by permission, and one guarded call path (RBAC,
 * audit, errors as results).
 */
class Catalog<D extends { permission: string }, F extends (...args: never[]) => unknown> {
  private readonly entries = new Map<string, Entry<D, F>>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly kind: 'resource' | 'prompt',
    private readonly keyOf: (def: D) => string,
    private readonly check: (owner: ToolOwner, def: D) => string | undefined,
    private readonly rbac: Rbac,
    private readonly audit: AuditLog,
  ) {}

  register(owner: ToolOwner, def: D, fn: F): Disposable {
    const key = this.keyOf(def);
    const problem = this.check(owner, def);
    if (problem) throw new PluginError('KRN_ERR_TOOL_INVALID', { plugin: owner.id, phase: 'start', detail: `${this.kind} "${key}": ${problem}` });
    if (!owner.permissions.has(def.permission)) {
      throw new PluginError('KRN_ERR_PERMISSION_UNDECLARED', { plugin: owner.id, phase: 'start', detail: `${this.kind} "${key}" needs permission "${def.permission}", which the plugin does not declare` });
    }
    const existing = this.entries.get(key);
    if (existing) throw new PluginError('KRN_ERR_TOOL_DUPLICATE', { plugin: owner.id, phase: 'start', detail: `${this.kind} "${key}" is already registered by plugin "${existing.owner.id}"` });
    const entry = { owner, def, fn };
    this.entries.set(key, entry);
    this.changed();
    return {
      dispose: () => {
        if (this.entries.get(key) !== entry) return;
        this.entries.delete(key);
        this.changed();
      },
    };
  }

  onChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  /** What `principal` may use, sorted by key. */
  list(principal: Principal): (D & { plugin: string })[] {
    return [...this.entries.values()]
      .filter((e) => this.rbac.can(principal, e.def.permission))
      .map((e) => ({ ...e.def, plugin: e.owner.id }))
      .sort((a, b) => (this.keyOf(a) < this.keyOf(b) ? -1 : this.keyOf(a) > this.keyOf(b) ? 1 : 0)); // code units: no ICU collator
  }

  async call<T>(key: string, principal: Principal, signal: AbortSignal | undefined, run: (fn: F, ctx: RequestContext) => Promise<T>): Promise<CatalogResult<T>> {
    const started = performance.now();
    const entry = this.entries.get(key);
    const action = `${this.kind}:${this.kind === 'resource' ? 'read' : 'get'}`;
    const audit = (outcome: 'ok' | 'error' | 'denied', code?: string) =>
      this.audit.record({ principal: principal.id, role: principal.role, action, target: key, outcome, durationMs: performance.now() - started, detail: code ? { code } : undefined });
    if (!entry) {
      audit('error', 'KRN_ERR_TOOL_NOT_FOUND');
      return { ok: false, error: { code: 'KRN_ERR_TOOL_NOT_FOUND', message: `no ${this.kind} "${key}"` } };
    }
    if (!this.rbac.can(principal, entry.def.permission)) {
      audit('denied');
      return { ok: false, error: { code: 'KRN_ERR_FORBIDDEN', message: `${principal.id} (role ${principal.role}) lacks ${entry.def.permission}, which ${this.kind} "${key}" needs` } };
    }
    const ctx: RequestContext = {
      principal,
      signal: signal ? AbortSignal.any([signal, entry.owner.signal]) : entry.owner.signal,
      logger: entry.owner.logger.child({ [this.kind]: key }) as Logger,
    };
    try {
      const value = await entry.owner.track(run(entry.fn, ctx));
      audit('ok');
      return { ok: true, value };
    } catch (e) {
      const code: ErrorCode = e instanceof PluginError ? e.code : 'KRN_ERR_TOOL_FAILED';
      audit('error', code);
      return { ok: false, error: { code, message: `${this.kind} "${key}" failed: ${e instanceof PluginError ? e.detail : messageOf(e)}` } };
    }
  }
}

export type ResourceReader = (call: RequestContext) => ResourceContent | Promise<ResourceContent>;
export type PromptBuilder = (args: Readonly<Record<string, string>>, call: RequestContext) => PromptMessages | Promise<PromptMessages>;

export class ResourceRegistry extends Catalog<ResourceDefinition, ResourceReader> {
  constructor(rbac: Rbac, audit: AuditLog) {
    super('resource', (d) => d.uri, (owner, d) => {
      const m = URI_RE.exec(String(d?.uri));
      if (!m) return 'uri must look like devflow://<plugin-id>/<path>';
      if (m[1] !== owner.id) return `uri must be under devflow://${owner.id}/`;
      if (typeof d.name !== 'string' || !d.name) return 'name is required';
      if (typeof d.description !== 'string' || d.description.trim().length < 10) return 'description must say what it holds (at least 10 characters)';
      return undefined;
    }, rbac, audit);
  }
}

export class PromptRegistry extends Catalog<PromptDefinition, PromptBuilder> {
  constructor(rbac: Rbac, audit: AuditLog) {
    super('prompt', (d) => d.name, (_, d) => {
      if (typeof d?.name !== 'string' || !TOOL_NAME_RE.test(d.name) || d.name.length > 64) return 'name must be snake_case, at most 64 characters';
      if (typeof d.description !== 'string' || d.description.trim().length < 10) return 'description must say what it is for (at least 10 characters)';
      for (const a of d.arguments ?? []) if (typeof a?.name !== 'string' || !/^[a-z][a-zA-Z0-9_]*$/.test(a.name)) return `argument name ${JSON.stringify(a?.name)} is not a simple identifier`;
      return undefined;
    }, rbac, audit);
  }
}
