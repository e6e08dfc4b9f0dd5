import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyPluginDefinition, Disposable, EmitOptions, HookKind, PluginContext, Principal, ProvidedHook } from '@devflow/plugin-sdk';
import semver from 'semver';
import { isEventPattern, isEventType } from '../bus/event-bus.js';
import { PluginError, messageOf } from '../errors.js';
import type { KernelServices } from '../services.js';
import type { PluginScope } from './scope.js';

export function tablePrefix(id: string): string {
  return `${id.replace(/-/g, '_')}__`;
}

/** Build the context one plugin sees. Every registration goes through its scope. */
export function createContext(def: AnyPluginDefinition, config: Readonly<Record<string, unknown>>, scope: PluginScope, k: KernelServices): PluginContext<never> {
  const id = def.id;
  const logger = k.logger.child({ plugin: id });
  const declared = new Set([...Object.keys(def.dependencies ?? {}), ...Object.keys(def.optionalDependencies ?? {})]);
  const permissions = new Set<string>(def.permissions ?? []);
  const fail = (code: 'KRN_ERR_EVENT_HANDLER_FAILED' | 'KRN_ERR_SCHEDULER_FAILED', phase: 'event' | 'schedule', what: string) => (e: unknown) =>
    k.report(new PluginError(code, { plugin: id, phase, cause: e, detail: `${what} threw: ${messageOf(e)}` }));
  const undeclared = (other: string, what: string) =>
    new PluginError('KRN_ERR_UNDECLARED_DEPENDENCY', { plugin: id, phase: 'start', detail: `${what} "${other}", which is not in dependencies or optionalDependencies; declare it` });

  const undeclaredPermission = (permission: string, what: string) =>
    new PluginError('KRN_ERR_PERMISSION_UNDECLARED', { plugin: id, phase: 'tool', detail: `to ${what} a plugin must declare "${permission}"` });
  const toolOwner = { id, permissions, signal: scope.signal, logger, track: <T>(p: Promise<T>) => scope.track(p) };
  let dataDir: string | undefined;

  const ctx: PluginContext<Record<string, unknown>> = {
    id,
    version: def.version,
    kernelVersion: k.version,
    config,
    get projects() {
      return k.projects();
    },
    paths: Object.freeze({ configDir: k.configDir, dataDir: k.dataDir }),
    logger,
    signal: scope.signal,
    events: {
      emit(type: string, data: unknown, options?: EmitOptions) {
        if (!type.startsWith(`${id}.`) || !isEventType(type)) {
          throw new PluginError('KRN_ERR_EVENT_NAMESPACE', {
            plugin: id,
            phase: 'event',
            detail: `cannot emit "${type}": a plugin emits only "${id}.<noun>.<past-verb>" (kebab-case segments)`,
          });
        }
        return k.emit(id, type, data, options) as never;
      },
      on(pattern: string, listener: (e: never) => unknown) {
        if (!isEventPattern(pattern)) {
          throw new PluginError('KRN_ERR_EVENT_INVALID', { plugin: id, phase: 'event', detail: `"${pattern}" is not an event type, a prefix ending in ".*", or "*"` });
        }
        const onError = fail('KRN_ERR_EVENT_HANDLER_FAILED', 'event', `listener on "${pattern}"`);
        return scope.add(
          k.bus.on(pattern, (event) => {
            if (!scope.active) return;
            try {
              const r = listener(event as never) as Promise<unknown> | undefined;
              if (r && typeof r.then === 'function') scope.track(r).catch(onError);
            } catch (e) {
              onError(e);
            }
          }),
        );
      },
    },
    hooks: {
      tap(name: string, fn: (...args: never[]) => unknown, options?: { stage?: 'pre' | 'normal' | 'post' }) {
        const owner = name.includes('.') ? name.slice(0, name.indexOf('.')) : 'kernel';
        if (owner !== 'kernel' && owner !== id && !declared.has(owner)) throw undeclared(owner, `tapped hook "${name}" of`);
        return scope.add(k.hooks.tap(name, id, fn as (...a: unknown[]) => unknown, options?.stage));
      },
      provide<A extends unknown[], R>(name: string, kind: HookKind): ProvidedHook<A, R> {
        const full = `${id}.${name}`;
        k.hooks.define(full, { kind, args: ['a0', 'a1', 'a2', 'a3'], owner: id });
        scope.add({ dispose: () => k.hooks.undefine(full) });
        return { name: full, kind, call: (...args: A) => k.hooks.call(full, ...args) as R };
      },
    } as PluginContext['hooks'],
    storage: {
      db: k.db as never,
      prefix: tablePrefix(id),
      events: k.reader,
      get dataDir() {
        if (!dataDir) mkdirSync((dataDir = join(k.dataDir, 'plugins', id)), { recursive: true });
        return dataDir;
      },
      projection(definition) {
        const handle = k.projections.register(id, definition, (type, data, options) => void ctx.events.emit(type, data as never, options));
        scope.add(handle);
        return handle;
      },
    },
    tools: { register: (definition, handler) => scope.add(k.tools.register(toolOwner, definition as never, handler as never)) },
    resources: { register: (definition, read) => scope.add(k.resources.register(toolOwner, definition, read)) },
    prompts: { register: (definition, build) => scope.add(k.prompts.register(toolOwner, definition, build)) },
    scheduler: {
      every(intervalMs, fn, options) {
        let running = false;
        const onError = fail('KRN_ERR_SCHEDULER_FAILED', 'schedule', 'scheduled task');
        const tick = () => {
          if (running || !scope.active) return;
          running = true;
          scope.track(Promise.resolve().then(fn)).catch(onError).finally(() => (running = false));
        };
        const timer = setInterval(tick, intervalMs);
        timer.unref();
        if (options?.immediate) tick();
        return scope.add({ dispose: () => clearInterval(timer) });
      },
      after(delayMs, fn) {
        const onError = fail('KRN_ERR_SCHEDULER_FAILED', 'schedule', 'scheduled task');
        const timer = setTimeout(() => scope.active && scope.track(Promise.resolve().then(fn)).catch(onError), delayMs);
        timer.unref();
        return scope.add({ dispose: () => clearTimeout(timer) });
      },
    },
    lease: {
      get held() {
        return k.lease.held;
      },
      whileHeld: (start) => scope.add(whileHeld(id, scope, k, start)),
    },
    rbac: {
      can: (principal: Principal, permission: string) => k.rbac.can(principal, permission),
      assert(principal: Principal, permission: string) {
        if (!permissions.has(permission)) {
          throw new PluginError('KRN_ERR_PERMISSION_UNDECLARED', { plugin: id, phase: 'tool', detail: `checked permission "${permission}", which the plugin does not declare` });
        }
        k.rbac.assert(principal, permission, undefined, id);
      },
    },
    kernel: {
      status: () => k.status(),
      auditLog(filter) {
        if (!permissions.has('audit:read')) throw undeclaredPermission('audit:read', 'read the audit log');
        return k.auditLog(filter);
      },
      setPluginEnabled(plugin, enabled, by) {
        if (!permissions.has('plugins:manage')) throw undeclaredPermission('plugins:manage', 'enable or disable plugins');
        // Stopping the caller would wait on its own in-flight call: refuse instead of hanging.
        if (plugin === id) throw new PluginError('KRN_ERR_FORBIDDEN', { plugin: id, phase: 'tool', detail: `plugin "${id}" cannot ${enabled ? 'enable' : 'disable'} itself; edit the config file instead` });
        return k.setPluginEnabled(plugin, enabled, by);
      },
      callTool(name, args, principal, options) {
        if (!permissions.has('tools:call')) throw undeclaredPermission('tools:call', 'call tools');
        return k.tools.call(name, args, principal, options ?? {});
      },
      tools(principal) {
        if (!permissions.has('tools:call')) throw undeclaredPermission('tools:call', 'list tools');
        return k.tools.list().filter((t) => k.rbac.can(principal, t.permission)).map(({ render: _r, ...t }) => t);
      },
    },
    use(plugin: AnyPluginDefinition | string, options?: { optional?: boolean }) {
      const dep = typeof plugin === 'string' ? plugin : plugin?.id;
      if (!declared.has(dep)) throw undeclared(String(dep), 'used');
      const api = k.api(dep);
      const optionalRange = def.optionalDependencies?.[dep];
      // An optional dependency outside its range is treated as absent, as the start order did.
      const inRange = optionalRange === undefined || (api.version !== null && semver.satisfies(api.version, optionalRange, { includePrerelease: true }));
      if (api.started && inRange) return api.value;
      if (options?.optional || optionalRange !== undefined) return undefined;
      throw new PluginError('KRN_ERR_DEPENDENCY_FAILED', { plugin: id, phase: 'start', detail: `dependency "${dep}" is not running` });
    },
    onStop(fn: (() => void | Promise<void>) | Disposable) {
      return scope.add(typeof fn === 'function' ? { dispose: fn as () => void } : fn);
    },
    track: (work) => scope.track(work),
  };
  return ctx as never;
}

type Undo = void | Disposable | (() => void | Promise<void>);

/**
 * Run `start` while this process holds the monitor lease: now if it does, again whenever it takes
 * over; undo it (abort its signal, then run what it returned) when the lease is lost or the
 * plugin stops. Runs never overlap: an undo waits for its start to finish.
 */
function whileHeld(id: string, scope: PluginScope, k: KernelServices, start: (signal: AbortSignal) => Undo | Promise<Undo>): Disposable & { dispose(): Promise<void> } {
  let current: { controller: AbortController; started: Promise<Undo> } | undefined;
  const report = (e: unknown) => k.report(new PluginError('KRN_ERR_LEASE', { plugin: id, phase: 'lease', cause: e, detail: `lease work threw: ${messageOf(e)}` }));
  const undo = async (r: Undo) => {
    if (typeof r === 'function') await r();
    else if (r && typeof r.dispose === 'function') await (r.dispose() as unknown);
  };
  const begin = () => {
    if (current || !scope.active) return;
    const controller = new AbortController();
    const started = scope.track(k.lease.workGate.then(() => start(controller.signal), () => start(controller.signal)));
    started.catch(report);
    current = { controller, started };
  };
  const end = async () => {
    const c = current;
    current = undefined;
    if (!c) return;
    c.controller.abort(new DOMException(`plugin "${id}" no longer holds the monitor lease`, 'AbortError'));
    try {
      await undo(await c.started);
    } catch (e) {
      report(e);
    }
  };
  if (k.lease.take()) begin();
  const unwatch = k.lease.watch((held) => (held ? begin() : void end()));
  return {
    dispose: async () => {
      unwatch();
      await end();
    },
  };
}
