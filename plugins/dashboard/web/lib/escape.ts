// HTML built from strings with everything interpolated escaped by default. Paths, branch names,
// commit subjects and task titles come from the user's machine and may contain markup.

/** Markup that is already safe to insert (made by `html` or, for trusted constants, `trusted`). */
export interface Html {
  readonly __html: string;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escape text for element content and for quoted attribute values. */
export function escapeHtml(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"'`]/g, (c) => ENTITIES[c] ?? c);
}

export function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && typeof (value as Html).__html === 'string';
}

function piece(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (isHtml(value)) return value.__html;
  if (Array.isArray(value)) return value.map(piece).join('');
  return escapeHtml(value);
}

/**
 * Tagged template: `html\`<b>${name}</b>\`` escapes `name`; nested `html` values and arrays of
 * them are inserted as they are; null, undefined and false render nothing.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + (strings[i + 1] ?? '');
  return { __html: out };
}

/** Markup from a trusted constant (never from data). */
export function trusted(markup: string): Html {
  return { __html: markup };
}

/** Join pieces with a separator (both escaped unless they are Html). */
export function join(items: readonly unknown[], separator: unknown = ''): Html {
  return { __html: items.map(piece).join(piece(separator)) };
}
