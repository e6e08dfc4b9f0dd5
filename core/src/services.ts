import type { AuditFilter, AuditRow, EmitOptions, KernelStatus, PluginChange, Principal, StoredEvent } from '@devflow/plugin-sdk';
import type { EventBus } from './bus/event-bus.js';
import type { PluginError } from './errors.js';
import type { HookRegistry } from './hooks/hook-registry.js';
import type { PinoLogger } from './logger.js';
import type { Rbac } from './rbac/rbac.js';
import type { AuditLog } from './storage/audit.js';
import type { Db } from './storage/database.js';
import type { LeaseKeeper } from './storage/lease-keeper.js';
import type { Projections } from './storage/projections.js';
import type { EventReader } from './storage/event-reader.js';
import type { PromptRegistry, ResourceRegistry } from './tools/catalog.js';
import type { ToolRegistry } from './tools/tool-registry.js';
import type { SchemaValidator } from './validator.js';

/** What the kernel lends to plugin contexts. One instance per kernel. */
export interface KernelServices {
  readonly version: string;
  readonly logger: PinoLogger;
  readonly validator: SchemaValidator;
  readonly bus: EventBus;
  readonly hooks: HookRegistry;
  readonly tools: ToolRegistry;
  readonly resources: ResourceRegistry;
  readonly prompts: PromptRegistry;
  readonly rbac: Rbac;
  readonly audit: AuditLog;
  readonly db: Db;
  readonly reader: EventReader;
  readonly dataDir: string;
  readonly configDir: string;
  readonly lease: LeaseKeeper;
  readonly projections: Projections;
  projects(): readonly string[];
  /** The ingest path: hook chain → listeners → batched append. */
  emit(source: string, type: string, data: unknown, options?: EmitOptions): Promise<StoredEvent | undefined>;
  /** The public API of a started plugin. */
  api(id: string): { started: boolean; value: unknown; version: string | null };
  status(): KernelStatus;
  auditLog(filter?: AuditFilter): readonly AuditRow[];
  setPluginEnabled(plugin: string, enabled: boolean, by: Principal): Promise<PluginChange>;
  /** Log an error attributed to a plugin and remember it as the plugin's last error. */
  report(error: PluginError): void;
}
