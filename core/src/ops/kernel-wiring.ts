import { dirname } from 'node:path';
import type { KernelConfig } from '../config/schema.js';
import type { Kernel } from '../kernel.js';
import type { KernelOptions } from '../kernel-options.js';
import { createRootLogger, type PinoLogger } from '../logger.js';
import type { KernelServices } from '../services.js';
import { archivePathOf } from './context.js';
import { RotatingFile } from './log-rotate.js';
import { MaintenanceScheduler } from './maintenance-scheduler.js';

export type { PinoLogger };

/** The kernel's root logger: stderr, or `logging.file` rotated by size and day (never stdout). */
export function kernelLogger(logging: KernelConfig['logging'], file: string | undefined, options: KernelOptions): PinoLogger {
  const level = options.logLevel ?? (logging.level as 'info');
  const extra = options.extraLogStreams ?? [];
  if (!file) return createRootLogger({ level, extra });
  const r = logging.rotate;
  const destination = new RotatingFile(file, { maxBytes: Math.round(r.maxSizeMb * 1024 * 1024), keep: r.keep, daily: r.daily });
  return createRootLogger({ level, destination, extra });
}

/** Scheduled maintenance for a kernel on a database file (see MaintenanceScheduler). */
export function startMaintenance(kernel: Kernel, services: KernelServices): MaintenanceScheduler | undefined {
  if (kernel.databasePath === ':memory:') return undefined;
  return new MaintenanceScheduler({
    db: kernel.db,
    databasePath: kernel.databasePath,
    logger: kernel.logger,
    config: () => kernel.config,
    archivePath: () => archivePathOf(kernel.config, kernel.configFile ? dirname(kernel.configFile) : process.cwd(), services.dataDir),
    holdsLease: () => services.lease.held,
    audit: (entry) => services.audit.record(entry),
    report: (error) => services.report(error),
  }).start();
}
