/** A predicate for event types from patterns: exact types, prefixes ending in `.*`, or `*`. */
export function typeMatcher(patterns: readonly string[]): (type: string) => boolean {
  if (patterns.includes('*')) return () => true;
  const exact = new Set(patterns.filter((p) => !p.endsWith('.*')));
  const prefixes = patterns.filter((p) => p.endsWith('.*')).map((p) => p.slice(0, -1));
  if (!prefixes.length) return (type) => exact.has(type);
  return (type) => exact.has(type) || prefixes.some((p) => type.startsWith(p));
}
