// {placeholder} templates for titles, bodies and dedup keys.
import { readPath } from './expression.js';

const MAX_VALUE_CHARS = 300;

/** The text of one value in a template: strings as is, numbers, booleans, objects as cut JSON; null/missing → "". */
function show(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.length > MAX_VALUE_CHARS ? `${v.slice(0, MAX_VALUE_CHARS - 1)}…` : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  let json: string;
  try {
    json = JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
  return json.length > MAX_VALUE_CHARS ? `${json.slice(0, MAX_VALUE_CHARS - 1)}…` : json;
}

/** Placeholders a template uses (`{data.failed}` → `data.failed`). */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{([A-Za-z_][\w.]*)\}/g)].map((m) => m[1] as string);
}

/**
 * Replace `{path}` with the value at that path in `vars` (dots read properties; missing → empty).
 * `{{` and `}}` stand for literal braces.
 */
export function render(template: string, vars: Record<string, unknown>): string {
  return template
    .replace(/\{\{|\}\}|\{([A-Za-z_][\w.]*)\}/g, (m, path: string | undefined) => (path === undefined ? m[0] as string : show(readPath(vars, path))))
    .trim();
}
