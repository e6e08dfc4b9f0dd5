import type { AnyPluginDefinition, PluginContext } from '@devflow/plugin-sdk';
import { PluginError, attribute, messageOf } from '../errors.js';
import type { KernelServices } from '../services.js';
import { applyMigrations } from '../storage/migrations.js';
import { createContext, tablePrefix } from './context.js';
import { PluginScope } from './scope.js';

/** A started plugin. */
export interface Instance {
  id: string;
  entry: string;
  definition: AnyPluginDefinition;
  config: Readonly<Record<string, unknown>>;
  scope: PluginScope;
  context: PluginContext<never>;
  api: unknown;
  startedAt: number;
}

function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => PluginError): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Migrate and start one plugin. A throw, a rejection or a timeout leaves nothing behind: the
 * scope is closed and everything registered so far is disposed. Returns the instance or the error.
 */
export async function startPlugin(
  entry: string,
  def: AnyPluginDefinition,
  config: Readonly<Record<string, unknown>>,
  k: KernelServices,
  defaultTimeoutMs: number,
): Promise<Instance | PluginError> {
  const began = performance.now();
  try {
    if (def.migrations?.length) applyMigrations(k.db, { plugin: def.id, prefix: tablePrefix(def.id), migrations: def.migrations });
  } catch (e) {
    return attribute(e, 'KRN_ERR_MIGRATION_FAILED', def.id, 'migrate');
  }
  const scope = new PluginScope(def.id);
  const context = createContext(def, config, scope, k);
  const timeoutMs = def.startTimeoutMs ?? defaultTimeoutMs;
  const work = Promise.resolve().then(() => def.start(context as never));
  work.catch(() => {}); // a start that outlives its timeout may still reject; it is already reported
  try {
    const api = await withTimeout(
      work,
      timeoutMs,
      () => new PluginError('KRN_ERR_START_TIMEOUT', { plugin: def.id, phase: 'start', detail: `start did not finish within ${timeoutMs} ms; it is isolated (raise startTimeoutMs if it needs longer)` }),
    );
    k.logger.info({ plugin: def.id, phase: 'start', ms: Math.round(performance.now() - began) }, 'plugin started');
    return { id: def.id, entry, definition: def, config, scope, context, api, startedAt: Date.now() };
  } catch (e) {
    await scope.close(0);
    await scope.disposeAll();
    return attribute(e, 'KRN_ERR_START_FAILED', def.id, 'start', `start threw: ${messageOf(e)}`);
  }
}

/**
 * Stop one plugin: abort its signal, call its `stop`, await in-flight work (bounded), then
 * dispose every registration. Returns the problems met; the plugin is stopped regardless.
 */
export async function stopPlugin(inst: Instance, k: KernelServices, timeoutMs: number): Promise<PluginError[]> {
  const began = performance.now();
  const problems: PluginError[] = [];
  const closing = inst.scope.close(timeoutMs);
  if (inst.definition.stop) {
    try {
      await withTimeout(
        Promise.resolve().then(() => inst.definition.stop?.(inst.context as never)),
        timeoutMs,
        () => new PluginError('KRN_ERR_STOP_FAILED', { plugin: inst.id, phase: 'stop', detail: `stop did not finish within ${timeoutMs} ms` }),
      );
    } catch (e) {
      problems.push(attribute(e, 'KRN_ERR_STOP_FAILED', inst.id, 'stop', `stop threw: ${messageOf(e)}`));
    }
  }
  const left = await closing;
  if (left) problems.push(new PluginError('KRN_ERR_STOP_FAILED', { plugin: inst.id, phase: 'stop', detail: `${left} piece(s) of in-flight work still running after ${timeoutMs} ms; abandoned` }));
  for (const msg of await inst.scope.disposeAll()) {
    problems.push(new PluginError('KRN_ERR_STOP_FAILED', { plugin: inst.id, phase: 'stop', detail: `disposing a registration threw: ${msg}` }));
  }
  k.logger.info({ plugin: inst.id, phase: 'stop', ms: Math.round(performance.now() - began) }, 'plugin stopped');
  return problems;
}
