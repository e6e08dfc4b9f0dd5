// Report files: JUnit written by real runners (node:test's junit reporter, run here; pytest's,
// captured), Jest/Vitest JSON, TAP, lcov, istanbul json-summary; and hostile input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseReport, ReportError } from '../src/report-parsers.js';

/** The environment for a nested `node --test` (NODE_TEST_CONTEXT would make it skip its files). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return env;
}

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const fixture = (name: string) => readFileSync(`${FIXTURES}${name}`, 'utf8');

test('JUnit from node:test (a real run with --test-reporter=junit)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-junit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'junit.xml');
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=junit', `--test-reporter-destination=${out}`, `${FIXTURES}node/suite-a.mjs`, `${FIXTURES}node/suite-b.mjs`], {
    encoding: 'utf8',
    env: cleanEnv(),
  });
  assert.equal(r.status, 1, r.stderr);
  const report = parseReport('junit.xml', readFileSync(out, 'utf8'));
  assert.equal(report.format, 'junit');
  // testcases: adds, fails hard, skipped one, todo one, inner pass, inner fail, b passes, child ok, child bad
  assert.deepEqual(report.counts, { passed: 4, failed: 3, skipped: 2, total: 9 });
  assert.deepEqual(report.failingTests, ['fails hard', 'math suite > inner fail', 'parent > child bad']);
});

test('JUnit from pytest (captured): classname > name', () => {
  const r = parseReport('junit.xml', fixture('reports/pytest-junit.xml'));
  assert.deepEqual(r.counts, { passed: 2, failed: 3, skipped: 1, total: 6 });
  assert.deepEqual(r.failingTests, ['test_sample > test_bad', 'test_sample.TestThing > test_method_bad', 'test_sample.TestThing > test_param[2]']);
});

test('JUnit with suite attributes only (no testcases) counts from the attributes', () => {
  const r = parseReport('TEST-calc.xml', fixture('reports/surefire-attrs.xml'));
  assert.deepEqual(r.counts, { passed: 6, failed: 3, skipped: 3, total: 12 });
});

test('Jest --json (Vitest writes the same shape)', () => {
  const r = parseReport('results.json', fixture('reports/jest.json'));
  assert.equal(r.format, 'jest-json');
  assert.deepEqual(r.counts, { passed: 4, failed: 2, skipped: 1, total: 7 });
  assert.deepEqual(r.failingTests, ['sum subtracts numbers', 'divide by zero']);
});

test('coverage: istanbul json-summary and lcov', () => {
  const s = parseReport('coverage/coverage-summary.json', fixture('reports/coverage-summary.json'));
  assert.equal(s.format, 'istanbul-summary');
  assert.deepEqual(s.coverage, { lines: 83.3, branches: 50, functions: 100, statements: 85.7 });
  const l = parseReport('coverage/lcov.info', fixture('reports/lcov.info'));
  assert.equal(l.format, 'lcov');
  // lines 6/8, branches 1/2, functions 2/3
  assert.deepEqual(l.coverage, { lines: 75, branches: 50, functions: 66.7, statements: null });
});

test('TAP file: directives, escaped #, YAML diagnostics', () => {
  const r = parseReport('results.tap', fixture('reports/sample.tap'));
  assert.deepEqual(r.counts, { passed: 1, failed: 1, skipped: 2, total: 4 });
  assert.deepEqual(r.failingTests, ['rejects bad input']);
});

test('an XML bomb is not expanded, and external entities are refused', () => {
  const text = fixture('reports/bomb.xml');
  const before = process.memoryUsage().heapUsed;
  const r = parseReport('junit.xml', text);
  assert.deepEqual(r.counts, { passed: 0, failed: 1, skipped: 0, total: 1 });
  assert.deepEqual(r.failingTests, ['x > &lol9;'], 'the entity reference stays literal text');
  assert.ok(process.memoryUsage().heapUsed - before < 50e6, 'no billion laughs in memory');
  assert.throws(() => parseReport('junit.xml', fixture('reports/xxe.xml')), /External entities are not supported/);
});

test('garbage, truncated and foreign files are refused with a reason', () => {
  const reason = (name: string, text: string) => {
    try {
      parseReport(name, text);
    } catch (e) {
      assert.ok(e instanceof ReportError, String(e));
      return { message: e.message, unknownFormat: e.unknownFormat };
    }
    assert.fail(`${name} parsed`);
  };
  assert.match(reason('junit.xml', fixture('reports/truncated-junit.xml')).message, /^not well-formed XML \(line \d+/);
  assert.match(reason('r.json', fixture('reports/garbage.json')).message, /^not valid JSON/);
  assert.deepEqual(reason('r.json', fixture('reports/playwright-like.json')).unknownFormat, true);
  assert.deepEqual(reason('junit.xml', '<html><body>hi</body></html>').unknownFormat, true);
  assert.match(reason('junit.xml', '').message, /empty/);
  assert.match(reason('coverage/lcov.info', 'SF:a.js\nDA:1,1\n').message, /no lcov records/);
  assert.equal(reason('x.bin', '\u0000\u0001binary').unknownFormat, true);
});
