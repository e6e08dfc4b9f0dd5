import { existsSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Call `onChange` when a config file changes. Watches the directory, not the file, because
 * editors save by writing a new file and renaming it over the old one; bursts are debounced.
 */
export function watchConfigFile(file: string, onChange: () => void, debounceMs = 150): { close(): void } {
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dirname(file), (_, name) => {
    if (name !== basename(file)) return;
    clearTimeout(timer);
    timer = setTimeout(() => existsSync(file) && onChange(), debounceMs);
  });
  watcher.unref();
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
