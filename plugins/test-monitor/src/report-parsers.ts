import { createRequire } from 'node:module';
import type { XMLParser as XMLParserType } from 'fast-xml-parser';
import { BoundedNames } from './lines.js';
import { TapParser } from './tap.js';
import { pct, ratio, type Coverage } from './types.js';

export type ReportFormat = 'junit' | 'jest-json' | 'tap' | 'lcov' | 'istanbul-summary';

export interface ReportCounts {
  passed: number;
  failed: number;
  skipped: number;
  total: number;
}

/** What one report file holds. */
export interface ParsedReport {
  format: ReportFormat;
  counts: ReportCounts | null;
  failingTests: string[];
  failingTestsTruncated: boolean;
  coverage: Coverage | null;
}

/** A report that could not be read as any known format; `message` says why, for the log. */
export class ReportError extends Error {
  constructor(
    message: string,
    /** True when the file is simply some other kind of file (not worth a warning). */
    readonly unknownFormat = false,
  ) {
    super(message);
    this.name = 'ReportError';
  }
}

type Node = Record<string, unknown>;

const asArray = (v: unknown): Node[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).filter((x): x is Node => typeof x === 'object' && x !== null);
const num = (v: unknown): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0;
};
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/**
 * Entities are never expanded (`processEntities: false`): a billion-laughs DOCTYPE stays inert
 * text; nothing is fetched. Only the JUnit elements are turned into arrays; attribute values stay strings.
 */
// Loaded on the first report, not at plugin start: fast-xml-parser costs ~60 ms to import, and
// every `devflow mcp` process starts this plugin.
const requireCjs = createRequire(import.meta.url);
let lazy: { parser: XMLParserType; validate: (text: string) => true | { err: { line: number; msg: string } } } | undefined;
function xmlTools(): NonNullable<typeof lazy> {
  if (lazy) return lazy;
  const { XMLParser, XMLValidator } = requireCjs('fast-xml-parser') as typeof import('fast-xml-parser');
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    processEntities: false,
    htmlEntities: false,
    parseAttributeValue: false,
    parseTagValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    isArray: (name, _path, _leaf, isAttribute) => !isAttribute && (name === 'testsuite' || name === 'testcase' || name === 'testsuites'),
  });
  lazy = { parser, validate: (text) => XMLValidator.validate(text) as true | { err: { line: number; msg: string } } };
  return lazy;
}

/** JUnit XML (surefire, jest-junit, pytest, node:test's junit reporter, go-junit-report, …). */
export function parseJunit(text: string, maxNames = 50): ParsedReport {
  const valid = xmlTools().validate(text);
  if (valid !== true) throw new ReportError(`not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`);
  const doc = xmlTools().parser.parse(text) as Node;
  const roots = [...asArray(doc.testsuites), ...asArray(doc.testsuite)];
  if (!roots.length) throw new ReportError('XML without <testsuites> or <testsuite>: not a JUnit report', true);
  const names = new BoundedNames(maxNames);
  const counts = { passed: 0, failed: 0, skipped: 0, total: 0 };
  let cases = 0;
  const walk = (node: Node, path: string[], depth: number) => {
    if (depth > 64) return;
    for (const tc of asArray(node.testcase)) {
      cases++;
      counts.total++;
      if (tc.failure !== undefined || tc.error !== undefined) {
        counts.failed++;
        // `classname > name` (pytest, surefire); the suite path where classname says nothing (node:test's "test").
        const cn = str(tc['@_classname']);
        const name = str(tc['@_name']);
        names.add(!cn || cn === 'test' ? [...path, name].filter(Boolean).join(' > ') : name.startsWith(cn) ? name : `${cn} > ${name}`);
      } else if (tc.skipped !== undefined) {
        counts.skipped++;
      } else {
        counts.passed++;
      }
    }
    for (const ts of asArray(node.testsuite)) walk(ts, [...path, str(ts['@_name'])].filter(Boolean), depth + 1);
    for (const ts of asArray(node.testsuites)) walk(ts, path, depth + 1);
  };
  for (const r of asArray(doc.testsuites)) walk(r, [], 0);
  for (const r of asArray(doc.testsuite)) walk({ testsuite: [r] }, [], 0);
  if (!cases) {
    // No <testcase> elements: trust the suite attributes.
    const top = roots.some((r) => r['@_tests'] !== undefined) ? roots : roots.flatMap((r) => asArray(r.testsuite));
    for (const s of top) {
      const failed = num(s['@_failures']) + num(s['@_errors']);
      const skipped = num(s['@_skipped']) + num(s['@_disabled']);
      counts.total += num(s['@_tests']);
      counts.failed += failed;
      counts.skipped += skipped;
      counts.passed += Math.max(0, num(s['@_tests']) - failed - skipped);
    }
  }
  return { format: 'junit', counts, failingTests: names.list, failingTestsTruncated: names.truncated, coverage: null };
}

/** Jest's `--json` output (Vitest's json reporter writes the same shape). */
export function parseJestJson(doc: Node, maxNames = 50): ParsedReport {
  const names = new BoundedNames(maxNames);
  for (const file of asArray(doc.testResults)) {
    for (const a of asArray(file.assertionResults)) {
      if (a.status === 'failed') names.add(str(a.fullName) || [...(Array.isArray(a.ancestorTitles) ? a.ancestorTitles.map(str) : []), str(a.title)].join(' > '));
    }
  }
  const counts = {
    passed: num(doc.numPassedTests),
    failed: num(doc.numFailedTests),
    skipped: num(doc.numPendingTests) + num(doc.numTodoTests),
    total: num(doc.numTotalTests),
  };
  return { format: 'jest-json', counts, failingTests: names.list, failingTestsTruncated: names.truncated, coverage: null };
}

/** istanbul's `json-summary` reporter (`coverage/coverage-summary.json`): the `total` entry. */
export function parseIstanbulSummary(doc: Node): ParsedReport {
  const total = doc.total as Node;
  const measure = (k: string) => {
    const m = total[k] as Node | undefined;
    if (!m || typeof m !== 'object') return null;
    return pct(m.pct) ?? (num(m.total) > 0 ? ratio(num(m.covered), num(m.total)) : null);
  };
  return {
    format: 'istanbul-summary',
    counts: null,
    failingTests: [],
    failingTestsTruncated: false,
    coverage: { lines: measure('lines'), branches: measure('branches'), functions: measure('functions'), statements: measure('statements') },
  };
}

/** lcov tracefiles (`coverage/lcov.info`): totals of LF/LH, BRF/BRH, FNF/FNH over every record. */
export function parseLcov(text: string): ParsedReport {
  const t = { LF: 0, LH: 0, BRF: 0, BRH: 0, FNF: 0, FNH: 0 };
  let records = 0;
  for (const line of text.split('\n')) {
    const m = /^(LF|LH|BRF|BRH|FNF|FNH):(\d+)\s*$/.exec(line);
    if (m) t[m[1] as keyof typeof t] += Number(m[2]);
    else if (line.startsWith('end_of_record')) records++;
  }
  if (!records) throw new ReportError('no lcov records (no "end_of_record" line)');
  return {
    format: 'lcov',
    counts: null,
    failingTests: [],
    failingTestsTruncated: false,
    coverage: { lines: ratio(t.LH, t.LF), branches: ratio(t.BRH, t.BRF), functions: ratio(t.FNH, t.FNF), statements: null },
  };
}

export function parseTapReport(text: string, maxNames = 50): ParsedReport {
  const tap = new TapParser(maxNames);
  for (const line of text.split('\n')) tap.line(line.replace(/\r$/, ''));
  const r = tap.result();
  if (!r) throw new ReportError('no TAP version line, plan or test points');
  const passed = r.passed ?? 0;
  const failed = r.failed ?? 0;
  const skipped = r.skipped ?? 0;
  return { format: 'tap', counts: { passed, failed, skipped, total: passed + failed + skipped }, failingTests: r.failingTests, failingTestsTruncated: r.failingTestsTruncated, coverage: null };
}

/**
 * Parse a report file by its content (the name only breaks ties): JUnit XML, Jest/Vitest JSON,
 * istanbul json-summary, lcov, TAP. Throws {@link ReportError} for garbage, truncated files and
 * unknown formats.
 *
 * @example
 * ```ts
 * const r = parseReport('coverage/lcov.info', text); // { format: 'lcov', coverage: { lines: 85.7, … } }
 * ```
 */
export function parseReport(file: string, text: string, maxNames = 50): ParsedReport {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const head = body.trimStart().slice(0, 200);
  if (!head) throw new ReportError('empty file');
  if (head.startsWith('<')) return parseJunit(body, maxNames);
  if (head.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch (e) {
      throw new ReportError(`not valid JSON (${(e as Error).message})`);
    }
    const d = doc as Node;
    if (d && typeof d === 'object' && d.total && typeof d.total === 'object' && 'lines' in (d.total as Node)) return parseIstanbulSummary(d);
    if (d && typeof d === 'object' && 'numTotalTests' in d) return parseJestJson(d, maxNames);
    throw new ReportError('JSON that is neither Jest/Vitest --json output nor an istanbul json-summary', true);
  }
  if (/^(TN|SF):/m.test(head) || /\.info$/.test(file)) return parseLcov(body);
  if (/^(TAP version|1\.\.\d|ok\b|not ok\b)/m.test(head) || /\.tap$/.test(file)) return parseTapReport(body, maxNames);
  throw new ReportError('not a known report format (JUnit XML, Jest/Vitest JSON, TAP, lcov, istanbul json-summary)', true);
}
