import type { KernelHookMap } from '@devflow/plugin-sdk';
import type { HookSpec } from './hook-registry.js';

/**
 * The kernel's hooks: a frozen table, each with its kind and arguments (docs/hooks.md lists them;
 * a test checks the two agree). `beforeToolCall` fails closed: a policy tap that throws vetoes the
 * call rather than letting it through.
 */
export const KERNEL_HOOKS: Readonly<Record<keyof KernelHookMap, Omit<HookSpec, 'owner'>>> = Object.freeze({
  eventBeforeStore: { kind: 'syncWaterfall', args: ['event'] },
  eventStored: { kind: 'sync', args: ['events'] },
  beforeToolCall: {
    kind: 'asyncSeriesBail',
    args: ['call'],
    onTapErrorResult: (err) => ({ veto: `policy hook of plugin "${err.plugin}" failed (${err.detail})` }),
  },
  afterToolCall: { kind: 'asyncSeries', args: ['call', 'outcome'] },
  pluginStarted: { kind: 'sync', args: ['plugin'] },
  pluginStopped: { kind: 'sync', args: ['plugin'] },
  beforeShutdown: { kind: 'asyncSeries', args: [] },
});
