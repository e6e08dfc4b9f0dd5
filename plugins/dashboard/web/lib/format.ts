// Numbers, durations and times as the dashboard shows them. Pure: no DOM, no clock unless given.

const DASH = '—';

/** `1h 05m`, `12m 30s`, `45s`, `0s`; null/undefined/NaN → `—`. */
export function duration(ms: number | null | undefined): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return DASH;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** A ratio 0..1 as a percentage: `83%`; null → `—`. */
export function percent(ratio: number | null | undefined, digits = 0): string {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio)) return DASH;
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** `12,345`; `1.2k`/`3.4M` when compact; null → `—`. */
export function count(n: number | null | undefined, compact = false): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return DASH;
  if (compact && Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(1).replace(/\.0$/, '')}M`;
  if (compact && Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1).replace(/\.0$/, '')}k`;
  return Math.round(n).toLocaleString('en-US');
}

/** `512 B`, `8.1 KB`, `3.0 MB`. */
export function bytes(n: number | null | undefined): string {
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return DASH;
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A time (epoch ms or ISO) as a Date, or null when it is not one. */
export function toDate(t: number | string | null | undefined): Date | null {
  if (t === null || t === undefined || t === '') return null;
  const d = new Date(typeof t === 'number' ? t : String(t));
  return Number.isNaN(d.getTime()) ? null : d;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local `YYYY-MM-DD HH:MM`; only `HH:MM:SS` when it is on the same local day as `now`. */
export function dateTime(t: number | string | null | undefined, now?: number): string {
  const d = toDate(t);
  if (!d) return DASH;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (now !== undefined) {
    const n = new Date(now);
    if (n.getFullYear() === d.getFullYear() && n.getMonth() === d.getMonth() && n.getDate() === d.getDate()) {
      return `${time}:${pad(d.getSeconds())}`;
    }
  }
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** `just now`, `5 min ago`, `3 h ago`, `2 d ago`; future times → `in 5 min`. */
export function relative(t: number | string | null | undefined, now: number): string {
  const d = toDate(t);
  if (!d) return DASH;
  const diff = now - d.getTime();
  const abs = Math.abs(diff);
  const [n, unit] = abs < 45_000 ? [0, ''] : abs < 3_600_000 ? [Math.round(abs / 60_000), 'min'] : abs < 172_800_000 ? [Math.round(abs / 3_600_000), 'h'] : [Math.round(abs / 86_400_000), 'd'];
  if (!unit) return 'just now';
  return diff >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

/** The last path segments that fit in `max` characters, with a leading `…`. */
export function shortPath(path: string | null | undefined, max = 48): string {
  if (!path) return DASH;
  if (path.length <= max) return path;
  const parts = path.split(/[\\/]/);
  let out = parts.pop() ?? '';
  while (parts.length && out.length + (parts[parts.length - 1]?.length ?? 0) + 2 <= max) out = `${parts.pop()}/${out}`;
  return `…/${out}`.slice(-Math.max(max, out.length + 2));
}

/** The last segment of a path (`/home/me/app` → `app`). */
export function baseName(path: string | null | undefined): string {
  if (!path) return DASH;
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

/** A stage id as words: `screen-design` → `Screen design`. */
export function label(id: string | null | undefined): string {
  if (!id) return DASH;
  const s = id.replace(/[-_]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A compact duration for chart axes: `45s`, `12m`, `1.5h`, `20h`. */
export function axisDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0';
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)}m`;
  const h = ms / 3_600_000;
  return `${h < 10 ? Number(h.toFixed(1)) : Math.round(h)}h`;
}

/** A count for chart axes: integers as they are, halves with one decimal. */
export function axisCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
