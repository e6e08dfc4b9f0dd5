import { isDeepStrictEqual } from 'node:util';
import type { AnyPluginDefinition, PluginState } from '@devflow/plugin-sdk';
import type { LoadedConfig } from '../config/load.js';
import { PluginError } from '../errors.js';
import type { KernelServices } from '../services.js';
import { loadEntry } from './loader.js';
import { checkDefinition } from './manifest.js';
import { plan, type Candidate, type Plan } from './resolver.js';
import { startPlugin, stopPlugin, type Instance } from './runtime.js';

export interface PluginRecord {
  id: string;
  entry: string;
  version: string | null;
  state: PluginState;
  reason: PluginError | null;
  lastError: PluginError | null;
  startedAt: number | null;
  needsLease: boolean;
}

export interface ReconcileReport {
  started: string[];
  stopped: string[];
  /** Every problem, one line each, each naming its plugin. */
  problems: PluginError[];
}

export interface SupervisorOptions {
  /** Definitions handed over directly, in order (duplicates included: they are reported). */
  provided: readonly AnyPluginDefinition[];
  startTimeoutMs: number;
  stopTimeoutMs: number;
  /** True when this process holds (or just took) the monitor lease. */
  holdsLease(): boolean;
  onStarted(inst: Instance): void;
  onStopped(inst: Instance): void;
}

const depsOf = (def: AnyPluginDefinition) => [...Object.keys(def.dependencies ?? {}), ...Object.keys(def.optionalDependencies ?? {})];

/**
 * Brings the running plugins in line with the config: checks everything, stops what must stop
 * (dependents first), starts what can start (dependencies first). Calls are serialized, so a
 * config edit during a start waits its turn.
 */
export class Supervisor {
  records = new Map<string, PluginRecord>();
  readonly instances = new Map<string, Instance>();
  private order: string[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private readonly modules = new Map<string, Promise<unknown>>();

  constructor(
    private readonly k: KernelServices,
    private readonly opts: SupervisorOptions,
  ) {}

  reconcile(loaded: LoadedConfig): Promise<ReconcileReport> {
    const run = this.queue.then(() => this.apply(loaded));
    this.queue = run.catch(() => {});
    return run;
  }

  stopAll(): Promise<string[]> {
    const run = this.queue.then(() => this.stopSet(new Set(this.instances.keys())));
    this.queue = run.catch(() => {});
    return run;
  }

  private async candidates(loaded: LoadedConfig): Promise<Candidate[]> {
    const out: Candidate[] = [];
    const entries = Object.entries(loaded.config?.plugins ?? {});
    // Each provided definition is claimed by at most one config entry; the rest become entries of their own.
    const claimed = new Set<AnyPluginDefinition>();
    const claim = (entry: string) => {
      const def = this.opts.provided.find((d) => d.id === entry && !claimed.has(d));
      if (def) claimed.add(def);
      return def;
    };
    for (const [entry, { enabled, config }] of entries) {
      const c: Candidate = { entry, enabled, rawConfig: config, problems: [] };
      const provided = claim(entry);
      if (provided) c.definition = provided;
      else if (enabled) {
        try {
          if (!this.modules.has(entry)) this.modules.set(entry, loadEntry(entry, loaded.baseDir).then((m) => m.exported));
          c.definition = (await this.modules.get(entry)) as AnyPluginDefinition;
        } catch (e) {
          this.modules.delete(entry);
          c.problems.push(e as PluginError);
        }
      } else if (this.modules.has(entry)) {
        // Disabled now but loaded before: its id lets dependents say "is disabled" rather than "missing".
        const mod = (await this.modules.get(entry)?.catch(() => undefined)) as { id?: unknown } | undefined;
        if (typeof mod?.id === 'string') c.definition = mod as AnyPluginDefinition;
      }
      if (c.definition && enabled) {
        c.problems.push(...checkDefinition(entry, c.definition, this.k.validator));
        if (c.problems.length) c.definition = typeof c.definition.id === 'string' ? c.definition : undefined;
      }
      out.push(c);
    }
    // A broken config entry blocks its plugin, also when the definition was handed over directly.
    for (const [entry, problems] of loaded.entryProblems) out.push({ entry, enabled: true, rawConfig: {}, definition: claim(entry), problems });
    for (const def of this.opts.provided) {
      if (!claimed.has(def)) out.push({ entry: def.id, enabled: true, rawConfig: {}, definition: def, problems: checkDefinition(def.id, def, this.k.validator) });
    }
    return out;
  }

  private async apply(loaded: LoadedConfig): Promise<ReconcileReport> {
    const candidates = await this.candidates(loaded);
    const p = plan(candidates, this.k.version, this.k.validator, loaded.source);
    const standby = this.standby(p);
    const desired = new Set(p.order.filter((id) => !standby.has(id)));

    const toStop = new Set<string>();
    for (const [id, inst] of this.instances) {
      const planned = p.plugins.get(id);
      if (!desired.has(id) || planned?.definition !== inst.definition || !isDeepStrictEqual(planned?.config, inst.config)) toStop.add(id);
    }
    for (let grew = true; grew; ) {
      grew = false;
      for (const [id, inst] of this.instances) {
        if (!toStop.has(id) && depsOf(inst.definition).some((d) => toStop.has(d))) grew = !!toStop.add(id);
      }
    }
    const stopped = await this.stopSet(toStop);

    const problems: PluginError[] = [];
    const failed = new Map<string, PluginError>();
    const started: string[] = [];
    for (const id of p.order) {
      if (!desired.has(id) || this.instances.has(id)) continue;
      const planned = p.plugins.get(id);
      const def = planned?.definition as AnyPluginDefinition;
      const brokenDep = depsOf(def).find((d) => failed.has(d) && (def.dependencies?.[d] !== undefined));
      if (brokenDep) {
        failed.set(id, new PluginError('KRN_ERR_DEPENDENCY_FAILED', { plugin: id, phase: 'start', detail: `depends on "${brokenDep}", which failed to start (${failed.get(brokenDep)?.code})` }));
        continue;
      }
      const result = await startPlugin(planned?.entry ?? id, def, planned?.config ?? {}, this.k, this.opts.startTimeoutMs);
      if (result instanceof PluginError) failed.set(id, result);
      else {
        this.instances.set(id, result);
        this.order.push(id);
        started.push(id);
        this.opts.onStarted(result);
      }
    }

    const records = new Map<string, PluginRecord>();
    const record = (id: string, entry: string, def: AnyPluginDefinition | undefined, state: PluginState, reason: PluginError | null) =>
      records.set(id, {
        id, entry, version: def?.version ?? null, state, reason,
        lastError: this.records.get(id)?.lastError ?? null,
        startedAt: this.instances.get(id)?.startedAt ?? null,
        needsLease: def?.needsLease === true,
      });
    for (const c of candidates) if (!c.enabled) record(c.definition?.id ?? c.entry, c.entry, c.definition, 'disabled', null);
    for (const [key, pl] of p.plugins) {
      const id = key.includes('#') ? key : pl.id;
      if (pl.problems.length) (record(id, pl.entry, pl.definition, 'failed', pl.problems[0] ?? null), problems.push(...pl.problems));
      else if (pl.skipped) (record(id, pl.entry, pl.definition, 'skipped', pl.skipped), problems.push(pl.skipped));
      else if (standby.has(id)) record(id, pl.entry, pl.definition, 'standby', null);
      else if (failed.has(id)) {
        const err = failed.get(id) as PluginError;
        record(id, pl.entry, pl.definition, err.code === 'KRN_ERR_DEPENDENCY_FAILED' ? 'skipped' : 'failed', err);
        problems.push(err);
      } else record(id, pl.entry, pl.definition, this.instances.has(id) ? 'started' : 'stopped', null);
    }
    this.records = records;
    return { started, stopped, problems };
  }

  /** Check everything without starting anything (`config validate`, `plugins list`). */
  async check(loaded: LoadedConfig): Promise<{ plugins: PluginRecord[]; problems: PluginError[] }> {
    const candidates = await this.candidates(loaded);
    const p = plan(candidates, this.k.version, this.k.validator, loaded.source);
    const plugins: PluginRecord[] = [];
    const problems: PluginError[] = [];
    const base = { lastError: null, startedAt: null };
    for (const c of candidates) {
      if (!c.enabled) plugins.push({ ...base, id: c.definition?.id ?? c.entry, entry: c.entry, version: c.definition?.version ?? null, state: 'disabled', reason: null, needsLease: false });
    }
    for (const [key, pl] of p.plugins) {
      const reason = pl.problems[0] ?? pl.skipped ?? null;
      problems.push(...pl.problems, ...(pl.skipped ? [pl.skipped] : []));
      const state = pl.problems.length ? 'failed' : pl.skipped ? 'skipped' : 'resolved';
      plugins.push({ ...base, id: key.includes('#') ? key : pl.id, entry: pl.entry, version: pl.definition?.version ?? null, state, reason, needsLease: pl.definition?.needsLease === true });
    }
    return { plugins, problems };
  }

  /** Lease plugins wait while another process holds the lease, and so does whatever needs them. */
  private standby(p: Plan): Set<string> {
    const standby = new Set<string>();
    const needs = p.order.some((id) => p.plugins.get(id)?.definition?.needsLease);
    const held = needs && this.opts.holdsLease();
    for (const id of p.order) {
      const def = p.plugins.get(id)?.definition as AnyPluginDefinition;
      if ((def.needsLease && !held) || depsOf(def).some((d) => standby.has(d))) standby.add(id);
    }
    return standby;
  }

  private async stopSet(ids: Set<string>): Promise<string[]> {
    const stopped: string[] = [];
    for (const id of [...this.order].reverse()) {
      const inst = this.instances.get(id);
      if (!ids.has(id) || !inst) continue;
      const rec = this.records.get(id);
      if (rec) rec.state = 'stopping';
      for (const err of await stopPlugin(inst, this.k, this.opts.stopTimeoutMs)) this.k.report(err);
      this.instances.delete(id);
      this.order = this.order.filter((x) => x !== id);
      if (rec) (rec.state = 'stopped'), (rec.startedAt = null);
      stopped.push(id);
      this.opts.onStopped(inst);
    }
    return stopped;
  }
}
