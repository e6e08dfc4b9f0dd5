const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * The `since` / `until` argument tools take, as epoch milliseconds: a duration back from `now`
 * (`30m`, `24h`, `7d`, `1.5w`; units s, m, h, d, w), epoch milliseconds (10+ digits), or an ISO
 * date or time (`2026-11-21`, `2026-11-21T09:00:00Z`). Anything else is `undefined`, for the tool
 * to answer with an error that names the argument.
 *
 * @example
 * ```ts
 * const since = parseSince(args.since ?? '24h');
 * if (since === undefined) throw new Error(`since "${args.since}" is not a duration, epoch ms or ISO time`);
 * ```
 */
export function parseSince(value: string, now: number = Date.now()): number | undefined {
  const v = value.trim();
  const rel = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(v);
  if (rel) return now - Number(rel[1]) * (UNIT_MS[(rel[2] as string).toLowerCase()] as number);
  if (/^\d{10,}$/.test(v)) return Number(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}
