import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { applyEdits, modify, type JSONPath } from 'jsonc-parser';

const FORMAT = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };

/** Write a file atomically (temp file + rename) so a crash never leaves half a config. */
export function writeFileAtomic(file: string, text: string, mode?: number): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, mode === undefined ? undefined : { mode });
  renameSync(tmp, file);
}

/**
 * Set values in a JSON(C) config file, keeping its comments, formatting and everything it does
 * not touch. The previous version is kept as `<file>.bak`. Creates the file from `initial` when it
 * does not exist.
 */
export function editConfigFile(file: string, edits: { path: JSONPath; value: unknown }[], initial: unknown = {}): string {
  let text = existsSync(file) ? readFileSync(file, 'utf8') : `${JSON.stringify(initial, null, 2)}\n`;
  if (existsSync(file)) copyFileSync(file, `${file}.bak`);
  for (const e of edits) text = applyEdits(text, modify(text, e.path, e.value, FORMAT));
  writeFileAtomic(file, text);
  return text;
}
