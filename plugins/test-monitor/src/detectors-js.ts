// Summaries of the JavaScript runners: node:test (spec; TAP goes through TapParser), vitest, jest, mocha.
import { int, SummaryTally, type Detector } from './detector.js';
import { BoundedNames } from './lines.js';
import { TapParser } from './tap.js';
import type { TestCounts } from './types.js';

/** node:test's spec reporter: `ℹ tests 6` … `ℹ duration_ms 96.7`, failing leaves from the tree. */
export class NodeSpec implements Detector {
  readonly runner = 'node:test';
  readonly names: BoundedNames;
  private readonly blocks: Map<string, number>[] = [];
  private block: Map<string, number> | undefined;
  private readonly stack: string[] = [];
  private blockNames = 0;
  private inFailingList = false;
  private readonly listed: string[] = [];

  constructor(max: number) {
    this.names = new BoundedNames(max);
  }

  line(line: string, first: string): void {
    if (first !== 'ℹ' && first !== '▶' && first !== '✔' && first !== '✖' && first !== '﹣' && first !== '⚠') return;
    const s = /^ℹ (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ([\d.]+)$/.exec(line);
    if (s) {
      if (!this.block || this.block.has(s[1] as string)) {
        this.blocks.push((this.block = new Map()));
        this.inFailingList = false;
      }
      this.block.set(s[1] as string, Number(s[2]));
      return;
    }
    if (line === '✖ failing tests:') {
      this.inFailingList = true;
      return;
    }
    const m = /^( *)([▶✔✖﹣⚠]) (.+?)(?: \((\d[\d.]*m?s)\))?(?: # (?:SKIP|TODO)\b.*)?$/.exec(line);
    if (!m) return;
    const [, spaces, glyph, name, duration] = m as unknown as [string, string, string, string, string | undefined];
    if (this.inFailingList) {
      // The end-of-run list repeats failing leaves without their suites: used only if the tree gave none.
      if (glyph === '✖' && duration !== undefined && !spaces) this.listed.push(name);
      return;
    }
    if (this.block) {
      // A new run after a summary block.
      this.block = undefined;
      this.flushListed();
    }
    const level = spaces.length >> 1;
    if (duration === undefined) {
      if (glyph === '▶') {
        this.stack[level] = name;
        this.stack.length = level + 1;
      }
      return;
    }
    if (this.stack.length > level && this.stack[level] === name) {
      this.stack.length = level; // a suite (or a test with subtests) ends
      return;
    }
    if (glyph === '✖') {
      this.names.add([...this.stack.slice(0, level), name].join(' > '));
      this.blockNames++;
    }
  }

  private flushListed(): void {
    if (!this.blockNames) for (const n of this.listed) this.names.add(n);
    this.listed.length = 0;
    this.blockNames = 0;
  }

  counts(): TestCounts | null {
    this.flushListed();
    const full = this.blocks.filter((b) => b.has('pass') && b.has('fail'));
    if (!full.length) return null;
    const sum = (k: string) => full.reduce((n, b) => n + (b.get(k) ?? 0), 0);
    return { passed: sum('pass'), failed: sum('fail') + sum('cancelled'), skipped: sum('skipped') + sum('todo') };
  }
}

/** TAP on stdout (node:test's default reporter when not on a terminal, tape, node-tap). */
export class Tap implements Detector {
  runner = 'tap';
  readonly names: BoundedNames;
  private readonly tap: TapParser;

  constructor(max: number) {
    this.tap = new TapParser(max);
    this.names = new BoundedNames(max);
  }

  line(line: string): void {
    this.tap.line(line);
  }

  counts(): TestCounts | null {
    const r = this.tap.result();
    if (!r) return null;
    this.runner = r.runner;
    for (const n of r.failingTests) this.names.add(n);
    if (r.failingTestsTruncated) this.names.truncated = true;
    return { passed: r.passed, failed: r.failed, skipped: r.skipped };
  }
}

/** Vitest: `      Tests  1 failed | 5 passed | 1 skipped (7)`; failing tests from ` FAIL  file > suite > test`. */
export class Vitest implements Detector {
  readonly runner = 'vitest';
  readonly names: BoundedNames;
  private readonly summary = new SummaryTally();

  constructor(max: number) {
    this.names = new BoundedNames(max);
  }

  line(line: string, first: string): void {
    if (first !== 'T' && first !== 'F') return;
    const s = /^\s*Tests\s{2,}(\d.*?)\s*\((\d+)\)\s*$/.exec(line);
    if (s) {
      this.summary.add(s[1] as string);
      return;
    }
    const f = /^\s*FAIL\s+(.+ > .+?)\s*(?:\[[^\]]*\])?\s*$/.exec(line);
    if (f) this.names.add(f[1] as string);
  }

  counts(): TestCounts | null {
    const s = this.summary;
    if (!s.seen) return null;
    return { passed: s.get('passed'), failed: s.get('failed'), skipped: s.get('skipped', 'todo') };
  }
}

/** Jest: `Tests:       1 failed, 1 skipped, 4 passed, 6 total`; failing tests from `● suite › test`. */
export class Jest implements Detector {
  readonly runner = 'jest';
  readonly names: BoundedNames;
  private readonly summary = new SummaryTally();

  constructor(max: number) {
    this.names = new BoundedNames(max);
  }

  line(line: string, first: string): void {
    if (first !== 'T' && first !== '●') return;
    const s = /^Tests:\s+(.*\d+ total)\s*$/.exec(line);
    if (s) {
      this.summary.add(s[1] as string);
      return;
    }
    const f = /^\s{0,4}● (.+)$/.exec(line);
    if (f && !/^(Test suite failed to run|Console)\s*$/.test(f[1] as string)) this.names.add(f[1] as string);
  }

  counts(): TestCounts | null {
    const s = this.summary;
    if (!s.seen) return null;
    return { passed: s.get('passed'), failed: s.get('failed'), skipped: s.get('skipped', 'todo', 'pending') };
  }
}

/** Mocha's spec reporter: `  3 passing (12ms)`, `  1 pending`, `  1 failing`, then numbered failures. */
export class Mocha implements Detector {
  readonly runner = 'mocha';
  readonly names: BoundedNames;
  private passing: number | undefined;
  private pending = 0;
  private failing = 0;
  private afterSummary = false;
  private entry: { indent: number; parts: string[] } | undefined;

  constructor(max: number) {
    this.names = new BoundedNames(max);
  }

  line(line: string, first: string): void {
    if (!this.entry && !(first >= '0' && first <= '9')) return;
    let m = /^\s+(\d+) passing \(\d+(?:\.\d+)?m?s\)\s*$/.exec(line);
    if (m) {
      this.passing = (this.passing ?? 0) + int(m[1]);
      this.afterSummary = false;
      return;
    }
    if (this.passing === undefined) return;
    if ((m = /^\s+(\d+) pending\s*$/.exec(line))) {
      this.pending += int(m[1]);
      return;
    }
    if ((m = /^\s+(\d+) failing\s*$/.exec(line))) {
      this.failing += int(m[1]);
      this.afterSummary = true;
      return;
    }
    if (!this.afterSummary) return;
    // `  1) suite` / `       nested suite` / `         test title:` — the title ends with a colon.
    if ((m = /^(\s+)\d+\) (.*)$/.exec(line))) {
      this.entry = { indent: (m[1] as string).length, parts: [] };
      this.title(m[2] as string);
      return;
    }
    if (this.entry) {
      const indent = line.length - line.trimStart().length;
      if (!line.trim() || indent <= this.entry.indent) this.entry = undefined;
      else this.title(line.trim());
    }
  }

  private title(text: string): void {
    const entry = this.entry as { parts: string[] };
    if (text.endsWith(':')) {
      entry.parts.push(text.slice(0, -1));
      this.names.add(entry.parts.join(' > '));
      this.entry = undefined;
    } else {
      entry.parts.push(text);
    }
  }

  counts(): TestCounts | null {
    if (this.passing === undefined) return null;
    return { passed: this.passing, failed: this.failing, skipped: this.pending };
  }
}

