import type { AnyPluginDefinition } from '@devflow/plugin-sdk';
import semver from 'semver';
import type { ConfigSource } from '../config/source.js';
import { PluginError } from '../errors.js';
import type { SchemaValidator } from '../validator.js';
import { findCycles } from './graph.js';

/** One plugin entry from the config (or handed to the kernel directly), before checking. */
export interface Candidate {
  entry: string;
  enabled: boolean;
  rawConfig: Record<string, unknown>;
  definition?: AnyPluginDefinition | undefined;
  /** Problems found while loading it (not found, not a plugin, invalid entry). */
  problems: PluginError[];
}

export interface PlannedPlugin {
  entry: string;
  id: string;
  enabled: boolean;
  definition: AnyPluginDefinition | undefined;
  /** Validated, defaults applied, deeply frozen. */
  config: Readonly<Record<string, unknown>>;
  /** Its own problems: it cannot start. */
  problems: PluginError[];
  /** A dependency cannot start, so neither can it. */
  skipped: PluginError | undefined;
}

export interface Plan {
  plugins: Map<string, PlannedPlugin>;
  /** Ids that can start, dependencies first, ties broken by id. */
  order: string[];
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const requiredDeps = (p: PlannedPlugin) => Object.entries(p.definition?.dependencies ?? {});
const optionalDeps = (p: PlannedPlugin) => Object.entries(p.definition?.optionalDependencies ?? {});

/**
 * Check everything before anything starts: definitions, duplicate ids, kernel range, config,
 * missing or mismatched dependencies, cycles. Every problem is collected; plugins with problems
 * and everything that depends on them are left out of the start order, each with its reason.
 */
export function plan(candidates: Candidate[], kernelVersion: string, validator: SchemaValidator, source: ConfigSource): Plan {
  const plugins = new Map<string, PlannedPlugin>();
  const disabled = new Map<string, string>();
  for (const c of candidates) {
    const id = c.definition?.id ?? c.entry;
    if (!c.enabled) {
      disabled.set(id, c.entry);
      continue;
    }
    const p: PlannedPlugin = { entry: c.entry, id, enabled: true, definition: c.definition, config: {}, problems: [...c.problems], skipped: undefined };
    const first = plugins.get(id);
    if (first) {
      const key = `${id}#${c.entry}`;
      const detail =
        c.entry === first.entry
          ? `two plugins have id "${id}" (versions ${first.definition?.version} and ${c.definition?.version}); remove one of them`
          : `entry "${c.entry}" has id "${id}", already used by entry "${first.entry}"; remove one of them`;
      p.problems.push(new PluginError('KRN_ERR_PLUGIN_DUPLICATE', { plugin: id, phase: 'check', detail }));
      plugins.set(key, p);
      continue;
    }
    plugins.set(id, p);
    const def = c.definition;
    if (!def || p.problems.length) continue;
    if (!semver.satisfies(kernelVersion, def.kernel, { includePrerelease: true })) {
      p.problems.push(new PluginError('KRN_ERR_KERNEL_VERSION', { plugin: id, phase: 'check', detail: `needs kernel ${def.kernel}, this kernel is ${kernelVersion}; update the plugin or DevFlow` }));
    }
    const config = structuredClone(c.rawConfig);
    for (const issue of validator.compile(def.config ?? { type: 'object' })(config)) {
      p.problems.push(source.invalid(['plugins', c.entry, 'config', ...issue.path], issue.message, id));
    }
    p.config = deepFreeze(config);
  }

  const live = (id: string) => {
    const p = plugins.get(id);
    return p && !p.problems.length ? p : undefined;
  };
  // Dependencies are checked even for a plugin that already has a problem (config, kernel range), so
  // every problem is reported at once; not for an unusable or duplicate definition.
  const unusable = (e: PluginError) => e.code === 'KRN_ERR_PLUGIN_INVALID' || e.code === 'KRN_ERR_PLUGIN_DUPLICATE';
  for (const p of plugins.values()) {
    if (!p.definition || p.problems.some(unusable)) continue;
    for (const [dep, range] of requiredDeps(p)) {
      const d = plugins.get(dep);
      if (!d) {
        const why = disabled.has(dep) ? `is disabled; enable "${disabled.get(dep)}" in the config` : 'is not in the config; add it to "plugins"';
        p.problems.push(new PluginError('KRN_ERR_DEPENDENCY_MISSING', { plugin: p.id, phase: 'check', detail: `needs "${dep}" ${range}, which ${why}`, data: { dependency: dep } }));
      } else if (d.definition && !semver.satisfies(d.definition.version, range, { includePrerelease: true })) {
        p.problems.push(new PluginError('KRN_ERR_DEPENDENCY_VERSION', { plugin: p.id, phase: 'check', detail: `needs "${dep}" ${range}, found ${d.definition.version}`, data: { dependency: dep } }));
      }
    }
  }

  // Edges among plugins that are still healthy; an optional dependency counts when present and in range.
  const edges = new Map<string, string[]>();
  for (const p of plugins.values()) {
    if (p.problems.length || !p.definition) continue;
    const deps = requiredDeps(p).map(([d]) => d);
    for (const [dep, range] of optionalDeps(p)) {
      const d = live(dep);
      if (d?.definition && semver.satisfies(d.definition.version, range, { includePrerelease: true })) deps.push(dep);
    }
    edges.set(p.id, deps);
  }
  for (const cycle of findCycles(edges)) {
    const path = [...cycle, cycle[0]].join(' -> ');
    for (const id of cycle) {
      plugins.get(id)?.problems.push(new PluginError('KRN_ERR_DEPENDENCY_CYCLE', { plugin: id, phase: 'check', detail: path, data: { cycle } }));
      edges.delete(id);
    }
  }

  // Anything depending (transitively) on a plugin that cannot start is skipped, naming it.
  let changed = true;
  while (changed) {
    changed = false;
    for (const p of plugins.values()) {
      if (p.problems.length || p.skipped || !edges.has(p.id)) continue;
      for (const [dep] of requiredDeps(p)) {
        const d = plugins.get(dep);
        if (!d || (!d.problems.length && !d.skipped)) continue;
        const why = d.problems[0]?.code ?? d.skipped?.code ?? 'unknown';
        p.skipped = new PluginError('KRN_ERR_DEPENDENCY_FAILED', { plugin: p.id, phase: 'check', detail: `depends on "${dep}", which cannot start (${why})`, data: { dependency: dep } });
        edges.delete(p.id);
        changed = true;
        break;
      }
    }
  }
  for (const [id, deps] of edges) edges.set(id, deps.filter((d) => edges.has(d)));
  return { plugins, order: topoOrder(edges) };
}

/** Kahn's algorithm; among the ready ones the smallest id goes first, so order is deterministic. */
export function topoOrder(edges: Map<string, string[]>): string[] {
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [id, deps] of edges) {
    indegree.set(id, deps.length);
    for (const d of deps) dependents.set(d, [...(dependents.get(d) ?? []), id]);
  }
  const ready = [...indegree].filter(([, n]) => n === 0).map(([id]) => id).sort();
  const order: string[] = [];
  while (ready.length) {
    const id = ready.shift() as string;
    order.push(id);
    for (const dep of dependents.get(id) ?? []) {
      const n = (indegree.get(dep) as number) - 1;
      indegree.set(dep, n);
      if (n === 0) {
        ready.push(dep);
        ready.sort();
      }
    }
  }
  return order;
}
