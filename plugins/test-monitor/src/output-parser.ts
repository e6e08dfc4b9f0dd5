import { CoverageReader } from './coverage-reader.js';
import type { Detector } from './detector.js';
import { Jest, Mocha, NodeSpec, Tap, Vitest } from './detectors-js.js';
import { Cargo, GoTest, Pytest } from './detectors-other.js';
import { BoundedNames } from './lines.js';
import type { OutputSummary, TestCounts } from './types.js';

/**
 * Reads a command's output line by line and recognizes the summaries of common test runners:
 * node:test (spec and TAP), TAP producers, vitest, jest, mocha, pytest, go test, cargo test; plus
 * printed coverage tables. Memory stays bounded whatever the output size: each reader keeps
 * counters and at most `maxFailingTests` names.
 *
 * @example
 * ```ts
 * const p = new OutputParser();
 * p.line('Tests:       1 failed, 4 passed, 5 total');
 * p.result(); // { runner: 'jest', passed: 4, failed: 1, skipped: 0, failingTests: [], … }
 * ```
 */
export class OutputParser {
  private readonly detectors: Detector[];
  private readonly coverage = new CoverageReader();

  constructor(private readonly maxFailingTests = 50) {
    const m = maxFailingTests;
    this.detectors = [new NodeSpec(m), new Tap(m), new Vitest(m), new Jest(m), new Mocha(m), new Pytest(m), new GoTest(m), new Cargo(m)];
  }

  line(line: string): void {
    let i = 0;
    while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    const first = i < line.length ? (line[i] as string) : '';
    for (const d of this.detectors) d.line(line, first);
    if (first) this.coverage.line(line, first);
  }

  result(): OutputSummary {
    const found = this.detectors.map((d) => ({ d, c: d.counts() })).filter((x): x is { d: Detector; c: TestCounts } => x.c !== null);
    const coverage = this.coverage.result();
    if (!found.length) return { runner: null, passed: null, failed: null, skipped: null, failingTests: [], failingTestsTruncated: false, coverage };
    const add = (k: keyof TestCounts) => (found.some((x) => x.c[k] === null) ? null : found.reduce((n, x) => n + (x.c[k] as number), 0));
    const names = new BoundedNames(this.maxFailingTests);
    let truncated = false;
    for (const { d } of found) {
      for (const n of d.names.list) names.add(n);
      truncated ||= d.names.truncated;
    }
    return {
      runner: [...new Set(found.map((x) => x.d.runner))].join('+'),
      passed: add('passed'),
      failed: add('failed'),
      skipped: add('skipped'),
      failingTests: names.list,
      failingTestsTruncated: truncated || names.truncated,
      coverage,
    };
  }
}
