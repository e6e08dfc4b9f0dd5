import { BoundedNames } from './lines.js';
import type { TestCounts } from './types.js';

/** What follows `ok`/`not ok`: an optional number, an optional dash, the name. */
const TEST_POINT_NAME = /^\s*(?:\d+)?\s*(?:-\s*)?(.*)$/;
// `# tests 3`, `# pass  2` (tape pads), and node's extra `# suites`, `# cancelled`, `# duration_ms`.
const SUMMARY = /^#\s+(tests|pass|fail|skip|skipped|todo|cancelled|suites|duration_ms)\s+([\d.]+)\s*$/;

/** Whether the test point has a `# SKIP` / `# TODO` directive (after the first unescaped `#`). */
function hasDirective(text: string, from: number): boolean {
  for (let hash = text.indexOf('#', from); hash !== -1; hash = text.indexOf('#', hash + 1)) {
    if (text[hash - 1] === '\\') continue;
    let j = hash + 1;
    while (text[j] === ' ' || text[j] === '\t') j++;
    const word = text.slice(j, j + 4).toLowerCase();
    const after = text[j + 4];
    return (word === 'skip' || word === 'todo') && (after === undefined || !/\w/.test(after));
  }
  return false;
}

export interface TapResult extends TestCounts {
  /** `node:test` when the summary has node's fields (`# suites`, `# duration_ms`), else `tap`. */
  runner: 'node:test' | 'tap';
  failingTests: string[];
  failingTestsTruncated: boolean;
}

/**
 * A streaming TAP (13/14) reader, fed one line at a time, for test output and `.tap` files.
 * Counts come from the summary comments when a producer writes them (node:test, tape), otherwise
 * from the top-level test points. Failing test names are the failing leaves, with their
 * `# Subtest:` path (`suite > test`); YAML diagnostics are skipped.
 *
 * @example
 * ```ts
 * const tap = new TapParser();
 * for (const line of text.split('\n')) tap.line(line);
 * tap.result(); // { runner: 'node:test', passed: 2, failed: 1, skipped: 0, … } or null
 * ```
 */
export class TapParser {
  private readonly names: BoundedNames;
  private sawVersion = false;
  private sawPlan = false;
  private points = 0;
  private readonly top = { passed: 0, failed: 0, skipped: 0 };
  /** Summary blocks (a run of `# key n` lines); several runs in one output are summed. */
  private readonly blocks: Map<string, number>[] = [];
  private block: Map<string, number> | undefined;
  private yamlIndent = -1;
  private readonly subtests: string[] = [];
  /** Per level: whether the test point pending at that level had child test points. */
  private readonly hasChildren: boolean[] = [];
  private bailed = false;

  constructor(maxNames = 50) {
    this.names = new BoundedNames(maxNames);
  }

  line(raw: string): void {
    let indent = 0;
    while (indent < raw.length && (raw.charCodeAt(indent) === 32 || raw.charCodeAt(indent) === 9)) indent++;
    if (this.yamlIndent >= 0) {
      // A diagnostics block: keys at the indent of its `---`, multi-line values deeper, `...` ends it.
      if (indent === raw.length) return;
      if (indent >= this.yamlIndent) {
        if (indent === this.yamlIndent && raw.trim() === '...') this.yamlIndent = -1;
        return;
      }
      this.yamlIndent = -1; // a block left without its `...`
    }
    // Only lines starting with these can matter: the rest is skipped before any regex.
    const c = raw[indent];
    if (c !== '#' && c !== 'o' && c !== 'n' && c !== 'T' && c !== '1' && c !== 'B' && c !== '-') return;
    const text = raw.slice(indent).trimEnd();
    const level = indent >> 2;
    if (c === '-') {
      if (text === '---') this.yamlIndent = indent;
      return;
    }
    if (c === 'o' || c === 'n') {
      // `ok 3 - name # SKIP why` / `not ok 4 name`; written out by hand: this is the hot path.
      const ok = text.startsWith('ok');
      const start = ok ? 2 : text.startsWith('not ok') ? 6 : -1;
      if (start < 0 || (text.length > start && text[start] !== ' ')) return;
      this.point(level, ok, text, start);
      return;
    }
    if (level === 0) {
      if (c === '#') {
        const s = SUMMARY.exec(text);
        if (s) {
          if (!this.block || this.block.has(s[1] as string)) this.blocks.push((this.block = new Map()));
          this.block.set(s[1] === 'skip' ? 'skipped' : (s[1] as string), Number(s[2]));
          return;
        }
      } else {
        this.block = undefined;
        if (c === 'T' && /^TAP version \d+/i.test(text)) this.sawVersion = true;
        else if (c === '1' && /^1\.\.\d+/.test(text)) this.sawPlan = true;
        else if (c === 'B' && /^Bail out!/i.test(text)) this.bailed = true;
        return;
      }
    }
    if (c === '#' && text.startsWith('# Subtest: ')) {
      this.subtests[level] = text.slice('# Subtest: '.length);
      this.subtests.length = level + 1;
    }
  }

  private point(level: number, ok: boolean, text: string, start: number): void {
    const directive = hasDirective(text, start);
    const isParent = this.hasChildren[level] === true;
    this.hasChildren[level] = false;
    if (this.hasChildren.length > level + 1) this.hasChildren.length = level + 1;
    if (level > 0) this.hasChildren[level - 1] = true;
    if (level === 0) {
      this.points++;
      if (directive) this.top.skipped++;
      else if (ok) this.top.passed++;
      else this.top.failed++;
    }
    if (ok || directive || isParent) return;
    const name = TEST_POINT_NAME.exec(text.slice(start))?.[1]?.replace(/\\#/g, '#').trim() ?? '';
    this.names.add([...this.subtests.slice(0, level), name].filter(Boolean).join(' > '));
  }

  /** The counts and failing tests, or null when the lines were not TAP. */
  result(): TapResult | null {
    const summed = new Map<string, number>();
    for (const b of this.blocks) for (const [k, v] of b) summed.set(k, (summed.get(k) ?? 0) + v);
    const hasSummary = summed.has('pass') && summed.has('fail');
    const recognized = hasSummary ? this.sawVersion || this.sawPlan || this.points > 0 : (this.sawVersion || this.sawPlan) && (this.points > 0 || this.bailed);
    if (!recognized) return null;
    const node = summed.has('suites') || summed.has('duration_ms');
    const counts = hasSummary
      ? {
          passed: summed.get('pass') ?? 0,
          failed: (summed.get('fail') ?? 0) + (summed.get('cancelled') ?? 0),
          skipped: (summed.get('skipped') ?? 0) + (summed.get('todo') ?? 0),
        }
      : { ...this.top, failed: this.top.failed + (this.bailed && this.top.failed === 0 ? 1 : 0) };
    return { runner: node ? 'node:test' : 'tap', ...counts, failingTests: this.names.list, failingTestsTruncated: this.names.truncated };
  }
}
