/** A time from ISO 8601, epoch milliseconds, or a duration back from `now` ("90m", "24h", "7d", "2w"); undefined when it is none. */
export function parseSince(value: string, now = Date.now()): number | undefined {
  const v = value.trim();
  const d = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/i.exec(v);
  if (d) return now - Number(d[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[(d[2] as string).toLowerCase() as 'm' | 'h' | 'd' | 'w'];
  if (/^\d{10,}$/.test(v)) return Number(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}
