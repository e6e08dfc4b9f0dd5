// The runner-summary parsers on real output: node:test run for real (spec and TAP), pytest and
// cargo output captured from real runs, jest/vitest/mocha/go from their documented formats.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BoundedNames, LineSplitter } from '../src/lines.js';
import { OutputParser } from '../src/output-parser.js';

// Compiled tests run from dist/test; fixtures stay in the source tree.
/** The environment for a nested `node --test` (NODE_TEST_CONTEXT would make it skip its files). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return env;
}

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const fixture = (name: string) => readFileSync(`${FIXTURES}${name}`, 'utf8');

function parse(text: string | Buffer, max = 50) {
  const p = new OutputParser(max);
  const split = new LineSplitter((l) => p.line(l));
  split.push(text);
  split.end();
  return p.result();
}

function nodeTest(reporter: 'spec' | 'tap', ...files: string[]) {
  const r = spawnSync(process.execPath, ['--test', `--test-reporter=${reporter}`, ...files.map((f) => `${FIXTURES}node/${f}`)], { encoding: 'utf8', env: cleanEnv({ FORCE_COLOR: '0' }) });
  assert.equal(r.status, 1, r.stderr);
  return r.stdout;
}

const NODE_FAILING = ['fails hard', 'math suite > inner fail', 'parent > child bad'];

test('node:test spec output: counts, and failing leaves with their suite path', () => {
  const r = parse(nodeTest('spec', 'suite-a.mjs', 'suite-b.mjs'));
  assert.equal(r.runner, 'node:test');
  // node counts a test with failing subtests as failed too: fails hard, inner fail, parent, child bad
  assert.deepEqual({ passed: r.passed, failed: r.failed, skipped: r.skipped }, { passed: 4, failed: 4, skipped: 2 });
  assert.deepEqual(r.failingTests, NODE_FAILING);
  assert.equal(r.coverage, null);
});

test('node:test TAP output (its default when not on a terminal) reads the same', () => {
  const r = parse(nodeTest('tap', 'suite-a.mjs', 'suite-b.mjs'));
  assert.equal(r.runner, 'node:test');
  assert.deepEqual({ passed: r.passed, failed: r.failed, skipped: r.skipped }, { passed: 4, failed: 4, skipped: 2 });
  assert.deepEqual(r.failingTests, NODE_FAILING);
});

test('node:test with colours (FORCE_COLOR) and a coverage report', () => {
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--experimental-test-coverage', `${FIXTURES}node/suite-b.mjs`], {
    encoding: 'utf8',
    env: cleanEnv({ FORCE_COLOR: '1' }),
  });
  assert.match(r.stdout, /\x1b\[/, 'the output is coloured');
  const s = parse(r.stdout);
  assert.equal(s.runner, 'node:test');
  assert.deepEqual({ passed: s.passed, failed: s.failed }, { passed: 2, failed: 2 });
  assert.deepEqual(s.failingTests, ['parent > child bad']);
  assert.ok(s.coverage && typeof s.coverage.lines === 'number' && s.coverage.statements === null, JSON.stringify(s.coverage));
});

test('pytest (real output, default and -v)', () => {
  for (const name of ['output/pytest.txt', 'output/pytest-verbose.txt']) {
    const r = parse(fixture(name));
    assert.equal(r.runner, 'pytest', name);
    assert.deepEqual({ passed: r.passed, failed: r.failed, skipped: r.skipped }, { passed: 2, failed: 3, skipped: 1 }, name);
    assert.deepEqual(r.failingTests, ['test_sample.py::test_bad', 'test_sample.py::TestThing::test_method_bad', 'test_sample.py::TestThing::test_param[2]'], name);
  }
  const q = parse('F.s\n3 failed, 2 passed, 1 skipped, 1 xfailed, 2 errors in 0.52s\n');
  assert.deepEqual({ runner: q.runner, passed: q.passed, failed: q.failed, skipped: q.skipped }, { runner: 'pytest', passed: 2, failed: 5, skipped: 2 });
});

test('cargo test (real output): summed over test binaries', () => {
  const one = parse(fixture('output/cargo.txt'));
  assert.deepEqual({ runner: one.runner, passed: one.passed, failed: one.failed, skipped: one.skipped }, { runner: 'cargo', passed: 1, failed: 1, skipped: 1 });
  assert.deepEqual(one.failingTests, ['tests::it_fails']);
  const docs = 'running 2 tests\ntest src/lib.rs - add (line 3) ... ok\ntest result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.20s\n';
  const two = parse(fixture('output/cargo.txt') + docs);
  assert.deepEqual({ passed: two.passed, failed: two.failed, skipped: two.skipped }, { passed: 3, failed: 1, skipped: 1 });
});

test('jest (stderr summary, ● failure headers) with its coverage table', () => {
  const r = parse(fixture('output/jest.txt'));
  assert.equal(r.runner, 'jest');
  assert.deepEqual({ passed: r.passed, failed: r.failed, skipped: r.skipped }, { passed: 4, failed: 2, skipped: 1 });
  assert.deepEqual(r.failingTests, ['sum › subtracts numbers', 'divide › by zero']);
  assert.deepEqual(r.coverage, { statements: 85.7, branches: 50, functions: 100, lines: 83.3 });
});

test('vitest: Tests line, FAIL headers, v8 coverage table', () => {
  const r = parse(fixture('output/vitest.txt'));
  assert.equal(r.runner, 'vitest');
  assert.deepEqual({ passed: r.passed, failed: r.failed, skipped: r.skipped }, { passed: 3, failed: 2, skipped: 1 });
  assert.deepEqual(r.failingTests, ['src/math.test.ts > math > subtracts', 'src/math.test.ts > divide > by zero']);
  assert.deepEqual(r.coverage, { statements: 91.7, branches: 83.3, functions: 100, lines: 91.7 });
});

test('mocha: passing/pending/failing and the numbered failure titles', () => {
  const r = parse(fixture('output/mocha.txt'));
  assert.equal(r.runner, 'mocha');
  assert.deepEqual({ passed: r.passed, failed: r.failed, skipped: r.skipped }, { passed: 1, failed: 2, skipped: 1 });
  assert.deepEqual(r.failingTests, ['sum > subtracts numbers', 'divide > nested > by zero']);
});

test('go test: -v, plain (passes unknown) and -json; coverage averaged per package', () => {
  const v = parse(fixture('output/go-verbose.txt'));
  assert.equal(v.runner, 'go');
  assert.deepEqual({ passed: v.passed, failed: v.failed, skipped: v.skipped }, { passed: 3, failed: 3, skipped: 1 });
  assert.deepEqual(v.failingTests, ['TestSub', 'TestTable', 'TestTable/negative']);
  assert.deepEqual(v.coverage, { lines: null, branches: null, functions: null, statements: 85.7 });

  const plain = parse(fixture('output/go.txt'));
  assert.deepEqual({ runner: plain.runner, passed: plain.passed, failed: plain.failed, skipped: plain.skipped }, { runner: 'go', passed: null, failed: 1, skipped: null });
  assert.deepEqual(plain.failingTests, ['TestSub']);

  const json = parse(fixture('output/go-json.txt'));
  assert.deepEqual({ runner: json.runner, passed: json.passed, failed: json.failed, skipped: json.skipped }, { runner: 'go', passed: 1, failed: 1, skipped: 1 });
  assert.deepEqual(json.failingTests, ['TestSub']);
});

test('output with no runner summary: nothing is made up', () => {
  const r = parse('compiling 12 files\nok: wrote dist/index.js\n1 passing thought\nTests are great\nFAIL is a word\n');
  assert.deepEqual(r, { runner: null, passed: null, failed: null, skipped: null, failingTests: [], failingTestsTruncated: false, coverage: null });
});

test('two runners in one output (a monorepo script) are summed and both named', () => {
  const r = parse(fixture('output/jest.txt') + fixture('output/pytest.txt'));
  assert.equal(r.runner, 'jest+pytest');
  assert.deepEqual({ passed: r.passed, failed: r.failed, skipped: r.skipped }, { passed: 6, failed: 5, skipped: 2 });
  assert.equal(r.failingTests.length, 5);
});

test('failing test names are bounded in number and length', () => {
  const lines = ['TAP version 13'];
  for (let i = 1; i <= 500; i++) lines.push(`not ok ${i} - test number ${i} ${'x'.repeat(i === 1 ? 1000 : 0)}`);
  lines.push('1..500');
  const r = parse(lines.join('\n'), 20);
  assert.equal(r.runner, 'tap');
  assert.equal(r.failed, 500);
  assert.equal(r.failingTests.length, 20);
  assert.equal(r.failingTestsTruncated, true);
  assert.ok((r.failingTests[0] as string).length <= 300);
});

test('LineSplitter: chunk boundaries inside characters and lines, CR progress, escapes, over-long lines', () => {
  const lines: string[] = [];
  const split = new LineSplitter((l) => lines.push(l), 10);
  const bytes = Buffer.from('ℹ tests 1\r\n50%\r100%\n\x1b[32mgreen\x1b[39m\nabcdefghijklmnopqrstuvwxyz\nend');
  for (let i = 0; i < bytes.length; i++) split.push(bytes.subarray(i, i + 1)); // one byte at a time
  split.end();
  assert.deepEqual(lines, ['ℹ tests 1', '100%', 'green', 'abcdefghij', 'end']);
});

test('BoundedNames keeps the first names, unique, and says when it dropped some', () => {
  const n = new BoundedNames(2, 5);
  for (const s of ['a', 'a', ' b ', 'toolongname', 'c']) n.add(s);
  assert.deepEqual(n.list, ['a', 'b']);
  assert.equal(n.truncated, true);
});
