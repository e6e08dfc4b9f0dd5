import { dirname, join, resolve } from 'node:path';
import type { AnyPluginDefinition, EmitOptions, KernelStatus, PluginChange, Principal, StoredEvent } from '@devflow/plugin-sdk';
import { togglePlugin } from './config/toggle.js';
import { EventBus } from './bus/event-bus.js';
import { embeddedDefaults } from './config/defaults.js';
import { loadConfig, type LoadedConfig } from './config/load.js';
import { devflowPaths } from './config/paths.js';
import type { KernelConfig, KernelConfigInput } from './config/schema.js';
import { PluginError } from './errors.js';
import { HookRegistry } from './hooks/hook-registry.js';
import { KERNEL_HOOKS } from './hooks/kernel-hooks.js';
import { Ingest } from './ingest.js';
import { kernelLogger, startMaintenance, type PinoLogger } from './ops/kernel-wiring.js';
import { ConfigError, type KernelOptions } from './kernel-options.js';

export { ConfigError, type KernelOptions };
import { Supervisor, type ReconcileReport } from './plugins/supervisor.js';
import { Rbac } from './rbac/rbac.js';
import type { KernelServices } from './services.js';
import { buildStatus, FileSize } from './status.js';
import { AuditLog } from './storage/audit.js';
import { openDatabase, type Db } from './storage/database.js';
import { EventWriter } from './storage/event-log.js';
import { Projections } from './storage/projections.js';
import { EventReader } from './storage/event-reader.js';
import { Lease } from './storage/lease.js';
import { recoverSpilled, spillEvents } from './storage/spill.js';
import { LeaseKeeper } from './storage/lease-keeper.js';
import { watchConfigFile } from './config/watch.js';
import { PromptRegistry, ResourceRegistry } from './tools/catalog.js';
import { ToolRegistry, type CallOptions, type ToolResult } from './tools/tool-registry.js';
import { SchemaValidator } from './validator.js';
import { KERNEL_VERSION } from './version.js';

/** The microkernel: owns storage, the bus, hooks, tools, RBAC and the plugins' lifecycle. */
export class Kernel {
  readonly tools: ToolRegistry;
  readonly resources: ResourceRegistry;
  readonly prompts: PromptRegistry;
  readonly hooks: HookRegistry;
  readonly rbac: Rbac;
  readonly audit: AuditLog;
  readonly events: EventReader;
  readonly projections: Projections;
  readonly localPrincipal: Principal;
  readonly startedAt = Date.now();
  private readonly writer: EventWriter;
  private readonly ingest: Ingest;
  private readonly supervisor: Supervisor;
  private readonly services: KernelServices;
  private readonly lease: LeaseKeeper;
  private watcher: { close(): void } | undefined;
  private stopping: Promise<void> | undefined;
  /** The config object in use when there is no file and a plugin was toggled at run time. */
  private input: KernelConfigInput | undefined;
  private logClosed = false;

  static open(options: KernelOptions = {}): Kernel {
    const validator = new SchemaValidator();
    const cwd = options.cwd ?? process.cwd();
    const loaded = loadConfig(validator, { file: options.configFile, input: options.config, defaults: () => embeddedDefaults(cwd, !options.plugins?.length), cwd, env: options.env });
    if (!loaded.config) throw new ConfigError(loaded.problems);
    return new Kernel(options, validator, loaded);
  }

  private constructor(
    private readonly options: KernelOptions,
    private readonly validator: SchemaValidator,
    private loaded: LoadedConfig,
  ) {
    const config = loaded.config as KernelConfig;
    const paths = devflowPaths(options.env);
    // Paths in the config file are relative to the file, like projects and plugin paths.
    const fromConfig = (p: string | undefined) => (p === undefined ? undefined : resolve(loaded.baseDir, p));
    this.logger = options.logger ?? kernelLogger(config.logging, fromConfig(config.logging.file), options);
    this.databasePath = options.databasePath ?? fromConfig(config.storage.path) ?? join(paths.dataDir, 'devflow.db');
    this.db = openDatabase(this.databasePath);
    if (this.databasePath !== ':memory:') {
      const recovered = recoverSpilled(this.db, join(dirname(this.databasePath), 'spill'));
      if (recovered.files) this.logger.warn({ ...recovered }, `wrote ${recovered.added} event(s) kept from an earlier shutdown into the log`);
    }
    this.audit = new AuditLog(this.db);
    this.events = new EventReader(this.db);
    this.rbac = new Rbac(config.rbac.roles, (p, permission, target) =>
      this.audit.record({ principal: p.id, role: p.role, action: 'rbac:deny', target, outcome: 'denied', detail: { permission } }),
    );
    this.localPrincipal = Object.freeze({ id: `local:${(options.env ?? process.env).USER ?? 'user'}`, kind: 'user', role: config.rbac.localRole });
    this.hooks = new HookRegistry((err) => this.report(err));
    for (const [name, spec] of Object.entries(KERNEL_HOOKS)) this.hooks.define(name, { ...spec, owner: 'kernel' });
    this.tools = new ToolRegistry(validator, this.rbac, this.hooks, this.audit);
    this.resources = new ResourceRegistry(this.rbac, this.audit);
    this.prompts = new PromptRegistry(this.rbac, this.audit);
    const bus = new EventBus();
    const projections = (this.projections = new Projections(this.db, (err) => this.report(err), options.leaseWorkAfter));
    this.writer = new EventWriter(this.db, {
      batchSize: config.storage.batchSize,
      flushMs: config.storage.flushMs,
      inTransaction: (events) => projections.applyInTransaction(events),
      onCommitted: (events) => (projections.afterCommit(), this.hooks.call('eventStored', events)),
      onError: (err) => this.logger.error({ code: err.code, err: err.cause }, err.detail),
    });
    this.ingest = new Ingest(this.hooks, bus, this.writer);
    this.lease = new LeaseKeeper(new Lease(this.db, 'monitors', config.kernel.leaseTtlMs), (err) => this.report(err), () => {
      if (!this.stopping) void this.supervisor.reconcile(this.loaded);
    }, options.monitors ?? true, options.leaseWorkAfter);
    this.services = {
      version: KERNEL_VERSION,
      logger: this.logger,
      validator,
      bus,
      hooks: this.hooks,
      tools: this.tools,
      resources: this.resources,
      prompts: this.prompts,
      rbac: this.rbac,
      audit: this.audit,
      db: this.db,
      reader: this.events,
      dataDir: paths.dataDir,
      configDir: paths.configDir,
      lease: this.lease,
      projections,
      projects: () => (this.loaded.config as KernelConfig).projects,
      emit: (source, type, data, opts) => this.ingestEmit(source, type, data, opts),
      api: (id) => {
        const inst = this.supervisor.instances.get(id);
        return { started: !!inst, value: inst?.api, version: inst?.definition.version ?? null };
      },
      report: (err) => this.report(err),
      status: () => this.status(),
      auditLog: (filter) => this.audit.query(filter),
      setPluginEnabled: (plugin, enabled, by) => this.setPluginEnabled(plugin, enabled, by),
    };
    this.supervisor = new Supervisor(this.services, {
      provided: options.plugins ?? [],
      startTimeoutMs: config.kernel.startTimeoutMs,
      stopTimeoutMs: config.kernel.stopTimeoutMs,
      holdsLease: () => this.lease.take(),
      onStarted: (inst) => {
        this.hooks.call('pluginStarted', { id: inst.id, version: inst.definition.version });
        this.lifecycleEvent('kernel.plugin.started', { plugin: inst.id, version: inst.definition.version });
      },
      onStopped: (inst) => {
        this.hooks.call('pluginStopped', { id: inst.id, version: inst.definition.version });
        this.lifecycleEvent('kernel.plugin.stopped', { plugin: inst.id });
      },
    });
    startMaintenance(this, this.services);
  }

  readonly logger: PinoLogger;
  readonly databasePath: string;
  readonly db: Db;

  get config(): KernelConfig {
    return this.loaded.config as KernelConfig;
  }

  get configFile(): string | null {
    return this.loaded.source.file;
  }

  /** Check every plugin and start what can start. Resolves with every problem found. */
  async start(): Promise<ReconcileReport> {
    const report = await this.supervisor.reconcile(this.loaded);
    for (const p of report.problems) this.logger.error({ plugin: p.plugin, code: p.code, phase: p.phase }, p.detail);
    if (this.options.watchConfig ?? (this.config.kernel.watchConfig && !!this.loaded.source.file)) this.watchConfig();
    return report;
  }

  /**
   * Enable or disable a plugin (by id or config entry) as editing the config would, apply it,
   * and audit who did it. Dependents follow: they stop with it and start again with it.
   */
  async setPluginEnabled(plugin: string, enabled: boolean, by: Principal): Promise<PluginChange> {
    const configured = Object.keys((this.loaded.source.value as { plugins?: object } | undefined)?.plugins ?? {});
    const entry = this.supervisor.records.get(plugin)?.entry ?? (configured.includes(plugin) ? plugin : undefined);
    if (entry === undefined) {
      throw new PluginError('KRN_ERR_PLUGIN_NOT_FOUND', { plugin, phase: 'config', detail: `no plugin "${plugin.slice(0, 200)}" is configured; add it to the config file first ("devflow plugins enable <id>" does)` });
    }
    const next = togglePlugin(this.loaded, entry, enabled);
    if (next) this.input = next;
    const report = await this.reload();
    const failed = report instanceof ConfigError;
    const change = { started: failed ? [] : report.started, stopped: failed ? [] : report.stopped, problems: report.problems.map((p) => p.message) };
    this.audit.record({ principal: by.id, role: by.role, action: enabled ? 'plugins:enable' : 'plugins:disable', target: plugin, outcome: failed ? 'error' : 'ok', detail: { started: change.started, stopped: change.stopped } });
    return change;
  }

  /** Check the config and every plugin without starting anything. */
  check(): ReturnType<Supervisor['check']> {
    return this.supervisor.check(this.loaded);
  }

  /** Re-read the config file and apply it: enable, disable, reconfigure plugins live. */
  async reload(): Promise<ReconcileReport | ConfigError> {
    // A stopped (or stopping) kernel must not start plugins again on a closed database.
    if (this.stopping) return { started: [], stopped: [], problems: [] };
    const loaded = loadConfig(this.validator, { file: this.loaded.source.file ?? undefined, input: this.loaded.source.file ? undefined : (this.input ?? this.options.config), defaults: () => embeddedDefaults(this.options.cwd ?? process.cwd(), !this.options.plugins?.length), cwd: this.options.cwd, env: this.options.env });
    if (!loaded.config) {
      for (const p of loaded.problems) this.logger.error({ code: p.code }, `config not applied: ${p.detail}`);
      return new ConfigError(loaded.problems);
    }
    this.loaded = loaded;
    const report = await this.supervisor.reconcile(loaded);
    for (const p of report.problems) this.logger.error({ plugin: p.plugin, code: p.code, phase: p.phase }, p.detail);
    this.logger.info({ started: report.started, stopped: report.stopped }, 'config applied');
    this.audit.record({ principal: 'system:config', action: 'config:apply', target: loaded.source.file ?? undefined, outcome: report.problems.length ? 'error' : 'ok', detail: { started: report.started, stopped: report.stopped, problems: report.problems.map((p) => p.code) } });
    return report;
  }

  private watchConfig(): void {
    const file = this.loaded.source.file;
    if (file && !this.watcher) this.watcher = watchConfigFile(file, () => void this.reload());
  }

  /** Append a kernel-namespace event (`kernel.<noun>.<verb>`). */
  emit(type: string, data: Record<string, unknown>, options?: EmitOptions): Promise<StoredEvent | undefined> {
    return this.ingestEmit('kernel', type, data, options);
  }

  /** Record a lifecycle event; a faulty hook must not break the lifecycle, so failures are only logged. */
  private lifecycleEvent(type: string, data: Record<string, unknown>): void {
    try {
      void this.ingestEmit('kernel', type, data);
    } catch (e) {
      this.report(e instanceof PluginError ? e : new PluginError('KRN_ERR_EVENT_INVALID', { phase: 'event', cause: e, detail: String(e) }));
    }
  }

  private ingestEmit(source: string, type: string, data: unknown, options?: EmitOptions): Promise<StoredEvent | undefined> {
    if (this.logClosed) {
      this.logger.warn({ plugin: source, code: 'KRN_ERR_STORAGE', phase: 'event' }, `event "${type}" emitted after the kernel stopped; not stored`);
      return Promise.resolve(undefined);
    }
    return this.ingest.emit(source, type, data, options);
  }

  /** Call a tool through the same path MCP uses. Defaults to the local user. */
  callTool(name: string, args: unknown, principal: Principal = this.localPrincipal, options?: CallOptions): Promise<ToolResult> {
    return this.tools.call(name, args, principal, options);
  }

  /** The public API a started plugin's `start` returned, or undefined when it is not running. */
  pluginApi(id: string): unknown {
    return this.supervisor.instances.get(id)?.api;
  }

  /** Flush queued events to the log now. */
  flush(): boolean {
    return this.writer.flush();
  }

  status(): KernelStatus {
    if (this.stopping) throw new PluginError('KRN_ERR_STORAGE', { phase: 'storage', detail: 'the kernel has stopped; its status is no longer available' });
    return buildStatus(this, this.supervisor, this.writer, this.ingest, this.lease.lease, this.lease.held);
  }

  private report(err: PluginError): void {
    this.logger.error({ plugin: err.plugin, code: err.code, phase: err.phase, err: err.cause }, err.detail);
    const rec = err.plugin ? this.supervisor?.records.get(err.plugin) : undefined;
    if (rec) rec.lastError = err;
  }

  /** Stop every plugin (reverse start order), flush the log, release the lease, close the database. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.watcher?.close();
      await this.beforeShutdown();
      await this.supervisor.stopAll();
      const lost = this.writer.close();
      this.logClosed = true;
      if (lost.length) {
        const file = spillEvents(join(dirname(this.databasePath), 'spill'), lost);
        this.logger.fatal({ code: 'KRN_ERR_STORAGE', events: lost.length, file }, `${lost.length} event(s) could not be written before shutdown; kept in ${file} and written at the next start`);
      }
      this.lease.close();
      this.audit.flush();
      this.db.close();
    })();
    return this.stopping;
  }

  /** Run the beforeShutdown taps, bounded by the stop timeout: a tap that never settles cannot hang shutdown. */
  private async beforeShutdown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = this.config.kernel.stopTimeoutMs;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), limit)));
    const outcome = await Promise.race([this.hooks.call('beforeShutdown') as Promise<void>, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.logger.error({ code: 'KRN_ERR_HOOK_FAILED' }, `beforeShutdown taps did not finish within ${limit} ms; stopping anyway`);
  }

  /** Database file plus WAL in bytes (cached for a second: status is polled). */
  databaseSize(): number | null {
    return this.dbSize.get();
  }

  private readonly dbSize = new FileSize(() => [this.databasePath, `${this.databasePath}-wal`]);
}
