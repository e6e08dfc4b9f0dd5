// OTLP/JSON (ExportMetricsServiceRequest, ExportLogsServiceRequest) → small, bounded summaries.
// Only names, counts, numbers and allow-listed short labels leave this module: log bodies are
// never read, and no attribute named like prompt/content/text is kept whatever its value.

const MAX_METRICS = 50;
const MAX_EVENTS = 50;
const MAX_LABEL_VALUES = 10;
const MAX_NUMBER_KEYS = 20;
const MAX_BREAKDOWN = 10;
const MAX_LABEL_CHARS = 64;
/** Attributes kept as labels (low-cardinality, never free text). */
export const LABEL_KEYS = new Set(['type', 'model', 'decision', 'language', 'tool', 'tool_name', 'success', 'source', 'status', 'status_code', 'error_type']);
/** Attributes dropped whatever their type or value. */
export const DROPPED = /prompt|content|text|body|message/i;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export class OtlpError extends Error {}

function only(body: unknown, field: string, what: string): unknown[] {
  if (!isObj(body)) throw new OtlpError(`the body is not a JSON object (expected an OTLP ${what})`);
  for (const k of Object.keys(body)) if (k !== field) throw new OtlpError(`unknown field "${k.slice(0, 64)}" in an OTLP ${what}`);
  const list = body[field] ?? [];
  if (!Array.isArray(list)) throw new OtlpError(`"${field}" must be an array`);
  for (const item of list) if (!isObj(item)) throw new OtlpError(`every "${field}" entry must be an object`);
  return list;
}

function list(o: Obj, field: string, where: string): Obj[] {
  const v = o[field] ?? [];
  if (!Array.isArray(v) || v.some((x) => !isObj(x))) throw new OtlpError(`"${where}.${field}" must be an array of objects`);
  return v as Obj[];
}

/** An OTLP AnyValue → a number, a short string, or undefined (arrays, maps, bytes are not kept). */
function anyValue(v: unknown): number | string | boolean | undefined {
  if (!isObj(v)) return undefined;
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (v.intValue !== undefined) {
    const n = Number(v.intValue);
    return Number.isFinite(n) ? n : undefined;
  }
  if (typeof v.doubleValue === 'number' && Number.isFinite(v.doubleValue)) return v.doubleValue;
  return undefined;
}

function attrs(list: unknown): Map<string, number | string | boolean> {
  const out = new Map<string, number | string | boolean>();
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (!isObj(kv) || typeof kv.key !== 'string' || DROPPED.test(kv.key)) continue;
    const v = anyValue(kv.value);
    if (v !== undefined) out.set(kv.key, v);
  }
  return out;
}

function label(key: string, v: number | string | boolean): string | undefined {
  if (!LABEL_KEYS.has(key)) return undefined;
  const s = String(v);
  return s.length <= MAX_LABEL_CHARS ? s : undefined;
}

/** The assistant a resource's `service.name` names. */
export function toolOfService(service: string | null): string | null {
  if (!service) return null;
  for (const t of ['claude', 'codex', 'gemini', 'qwen', 'copilot', 'cursor']) if (service.toLowerCase().includes(t)) return t;
  return null;
}

function serviceOf(resource: unknown): string | null {
  const a = attrs(isObj(resource) ? resource.attributes : undefined).get('service.name');
  return typeof a === 'string' ? a.slice(0, MAX_LABEL_CHARS) : null;
}

export interface MetricSummary {
  name: string;
  unit: string | null;
  kind: string;
  points: number;
  /** Sum of the points' values (histograms and summaries: of their `sum`). */
  sum: number;
  /** Value by allow-listed labels, e.g. `{ "type=input,model=x": 1234 }`. */
  by: Record<string, number>;
}

export interface MetricsSummary {
  [key: string]: unknown;
  service: string | null;
  tool: string | null;
  resources: number;
  dataPoints: number;
  rejected: number;
  metrics: MetricSummary[];
  truncated: boolean;
}

const KINDS = ['sum', 'gauge', 'histogram', 'exponentialHistogram', 'summary'] as const;

function pointValue(kind: string, p: Obj): number | undefined {
  if (kind === 'sum' || kind === 'gauge') {
    const v = p.asDouble ?? p.asInt;
    const n = typeof v === 'string' || typeof v === 'number' ? Number(v) : NaN;
    return Number.isFinite(n) ? n : undefined;
  }
  const n = Number(p.sum ?? 0);
  return Number.isFinite(n) ? n : undefined;
}

/** Validate an ExportMetricsServiceRequest and summarize it. Throws OtlpError when it is not one. */
export function summarizeMetrics(body: unknown): MetricsSummary {
  const rms = only(body, 'resourceMetrics', 'ExportMetricsServiceRequest') as Obj[];
  const byName = new Map<string, MetricSummary>();
  const out: MetricsSummary = { service: null, tool: null, resources: rms.length, dataPoints: 0, rejected: 0, metrics: [], truncated: false };
  for (const rm of rms) {
    out.service ??= serviceOf(rm.resource);
    for (const sm of list(rm, 'scopeMetrics', 'resourceMetrics')) {
      for (const m of list(sm, 'metrics', 'scopeMetrics')) {
        const kind = KINDS.find((k) => isObj(m[k]));
        const points = kind ? (m[kind] as Obj).dataPoints ?? [] : [];
        if (!Array.isArray(points)) throw new OtlpError(`"${kind}.dataPoints" must be an array`);
        const name = typeof m.name === 'string' && m.name ? m.name.slice(0, 128) : undefined;
        if (!name || !kind) {
          out.rejected += points.length;
          continue;
        }
        let s = byName.get(name);
        if (!s) {
          if (byName.size >= MAX_METRICS) {
            out.truncated = true;
            out.dataPoints += points.length;
            continue;
          }
          s = { name, unit: typeof m.unit === 'string' && m.unit ? m.unit.slice(0, 32) : null, kind, points: 0, sum: 0, by: {} };
          byName.set(name, s);
        }
        for (const p of points) {
          const v = isObj(p) ? pointValue(kind, p) : undefined;
          if (v === undefined) {
            out.rejected++;
            continue;
          }
          out.dataPoints++;
          s.points++;
          s.sum += v;
          const labels = [...attrs((p as Obj).attributes)].map(([k, x]) => [k, label(k, x)] as const).filter(([, x]) => x !== undefined);
          if (!labels.length) continue;
          const key = labels.map(([k, x]) => `${k}=${x}`).sort().join(',');
          if (s.by[key] !== undefined || Object.keys(s.by).length < MAX_BREAKDOWN) s.by[key] = (s.by[key] ?? 0) + v;
          else out.truncated = true;
        }
      }
    }
  }
  out.tool = toolOfService(out.service);
  out.metrics = [...byName.values()];
  return out;
}

export interface LogEventSummary {
  name: string;
  count: number;
  /** Sums of numeric attributes (tokens, cost, durations). */
  numbers: Record<string, number>;
  /** Counts of allow-listed label values (tool_name, model, decision, success …). */
  labels: Record<string, Record<string, number>>;
}

export interface LogsSummary {
  [key: string]: unknown;
  service: string | null;
  tool: string | null;
  resources: number;
  records: number;
  rejected: number;
  events: LogEventSummary[];
  truncated: boolean;
}

/** Validate an ExportLogsServiceRequest and count its events by name. Throws OtlpError when it is not one. */
export function summarizeLogs(body: unknown): LogsSummary {
  const rls = only(body, 'resourceLogs', 'ExportLogsServiceRequest') as Obj[];
  const byName = new Map<string, LogEventSummary>();
  const out: LogsSummary = { service: null, tool: null, resources: rls.length, records: 0, rejected: 0, events: [], truncated: false };
  for (const rl of rls) {
    out.service ??= serviceOf(rl.resource);
    for (const sl of list(rl, 'scopeLogs', 'resourceLogs')) {
      const records = sl.logRecords ?? [];
      if (!Array.isArray(records)) throw new OtlpError('"scopeLogs.logRecords" must be an array');
      for (const r of records) {
        if (!isObj(r)) {
          out.rejected++;
          continue;
        }
        out.records++;
        const a = attrs(r.attributes);
        const raw = a.get('event.name') ?? r.eventName;
        const name = typeof raw === 'string' && raw ? raw.slice(0, 128) : 'unnamed';
        let e = byName.get(name);
        if (!e) {
          if (byName.size >= MAX_EVENTS) {
            out.truncated = true;
            continue;
          }
          e = { name, count: 0, numbers: {}, labels: {} };
          byName.set(name, e);
        }
        e.count++;
        for (const [k, v] of a) {
          if (k === 'event.name') continue;
          const n = typeof v === 'number' ? v : typeof v === 'string' && !LABEL_KEYS.has(k) && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
          if (n !== undefined) {
            if (e.numbers[k] !== undefined || Object.keys(e.numbers).length < MAX_NUMBER_KEYS) e.numbers[k] = (e.numbers[k] ?? 0) + n;
            continue;
          }
          const l = label(k, v);
          if (l === undefined) continue;
          const values = (e.labels[k] ??= {});
          if (values[l] !== undefined || Object.keys(values).length < MAX_LABEL_VALUES) values[l] = (values[l] ?? 0) + 1;
          else out.truncated = true;
        }
      }
    }
  }
  out.tool = toolOfService(out.service);
  out.events = [...byName.values()];
  return out;
}
