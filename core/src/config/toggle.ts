import { editConfigFile } from './edit.js';
import type { LoadedConfig } from './load.js';
import type { KernelConfigInput } from './schema.js';

/**
 * Enable or disable one plugin entry the way a person editing the config would. With a config
 * file, the file is edited (comments kept, backup in .bak) and undefined is returned: reloading
 * reads it. Without one (a config object or the embedded defaults), the new config object is
 * returned for the kernel to use from now on.
 */
export function togglePlugin(loaded: LoadedConfig, entry: string, enabled: boolean): KernelConfigInput | undefined {
  const current = (loaded.source.value ?? {}) as KernelConfigInput;
  const value = current.plugins?.[entry];
  if (loaded.source.file) {
    const path = typeof value === 'boolean' ? ['plugins', entry] : ['plugins', entry, 'enabled'];
    editConfigFile(loaded.source.file, [{ path, value: enabled }]);
    return undefined;
  }
  const next = structuredClone(current);
  const plugins = (next.plugins ??= {});
  const entryValue = plugins[entry];
  plugins[entry] = typeof entryValue === 'object' && entryValue !== null ? { ...entryValue, enabled } : { enabled };
  return next;
}
