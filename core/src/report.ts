import type { KernelStatus } from '@devflow/plugin-sdk';
import type { PluginError } from './errors.js';

/**
 * The startup report people read: a summary line, then one line per problem, each beginning
 * with the plugin id, then plugins waiting for the monitor lease.
 *
 *   devflow: 9 plugins started, 2 not started
 *     [cyc-a] KRN_ERR_DEPENDENCY_CYCLE: cyc-a -> cyc-b -> cyc-a
 */
export function formatReport(status: KernelStatus, problems: readonly PluginError[]): string {
  const started = status.plugins.filter((p) => p.state === 'started').length;
  const notStarted = status.plugins.filter((p) => p.state === 'failed' || p.state === 'skipped').length;
  const standby = status.plugins.filter((p) => p.state === 'standby');
  const disabled = status.plugins.filter((p) => p.state === 'disabled').length;
  let head = `devflow: ${started} plugin${started === 1 ? '' : 's'} started, ${notStarted} not started`;
  if (standby.length) head += `, ${standby.length} on standby`;
  if (disabled) head += `, ${disabled} disabled`;
  const lines = [head];
  for (const p of problems) lines.push(`  ${p.message}`);
  for (const p of standby) lines.push(`  [${p.id}] standby: the monitor lease is held by ${status.lease.holder ?? 'another process'}; takes over when it is released`);
  return lines.join('\n');
}
