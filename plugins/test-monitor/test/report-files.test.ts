// Finding and watching report files on a real file system.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_IGNORE, DEFAULT_REPORTS } from '../src/config.js';
import { ReportFiles, type FoundReport, type ReportProblem } from '../src/report-files.js';
import { ReportWatcher } from '../src/report-watcher.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/reports/', import.meta.url));
const options = { patterns: DEFAULT_REPORTS, ignore: DEFAULT_IGNORE, maxDirs: 1000, maxBytes: 1_000_000, maxFailingTests: 50 };

function project(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tm-reports-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function put(root: string, rel: string, fixtureOrText: string, fromFixture = true): string {
  const file = join(root, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  if (fromFixture) copyFileSync(join(FIXTURES, fixtureOrText), file);
  else writeFileSync(file, fixtureOrText);
  return file;
}

async function until(what: string, ok: () => boolean, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('list finds reports by glob, skips ignored directories and symlinks, and stays within its budget', async (t) => {
  const root = project(t);
  put(root, 'junit.xml', 'pytest-junit.xml');
  put(root, 'packages/web/junit-web.xml', 'pytest-junit.xml');
  put(root, 'e2e/test-results/chrome/results.xml', 'pytest-junit.xml');
  put(root, 'coverage/lcov.info', 'lcov.info');
  put(root, 'coverage/coverage-summary.json', 'coverage-summary.json');
  put(root, 'node_modules/lib/junit.xml', 'pytest-junit.xml');
  put(root, '.git/junit.xml', 'pytest-junit.xml');
  put(root, 'src/notes.xml', 'pytest-junit.xml');
  symlinkSync(join(root, 'packages'), join(root, 'loop'));
  const files = new ReportFiles(options);
  const listed = await files.list(root);
  const rel = listed.files.map((f) => f.slice(root.length + 1));
  assert.deepEqual(rel, ['coverage/coverage-summary.json', 'coverage/lcov.info', 'e2e/test-results/chrome/results.xml', 'junit.xml', 'packages/web/junit-web.xml']);
  assert.equal(listed.truncated, false);
  assert.ok(listed.dirs.includes(root) && listed.dirs.includes(join(root, 'coverage')));

  for (let i = 0; i < 30; i++) mkdirSync(join(root, 'many', `d${i}`), { recursive: true });
  const small = await new ReportFiles({ ...options, maxDirs: 10 }).list(root);
  assert.equal(small.truncated, true);
});

test('a pattern under an ignored directory still works when it names the directory', async (t) => {
  const root = project(t);
  put(root, 'target/surefire-reports/TEST-calc.xml', 'surefire-attrs.xml');
  const files = new ReportFiles({ ...options, patterns: [...DEFAULT_REPORTS, 'target/surefire-reports/*.xml'] });
  const listed = await files.list(root);
  assert.deepEqual(listed.files, [join(root, 'target/surefire-reports/TEST-calc.xml')]);
});

test('read parses once per change: same mtime and size are skipped, same content is skipped, new content is read', async (t) => {
  const root = project(t);
  const file = put(root, 'junit.xml', 'pytest-junit.xml');
  const files = new ReportFiles(options);
  const first = await files.read(root, file);
  assert.equal(first.kind, 'found');
  assert.equal(first.kind === 'found' && first.found.rel, 'junit.xml');
  assert.equal((await files.read(root, file)).kind, 'skip', 'unchanged');
  const later = new Date(Date.now() + 5000);
  utimesSync(file, later, later);
  assert.equal((await files.read(root, file)).kind, 'skip', 'touched, same content');
  put(root, 'junit.xml', 'surefire-attrs.xml');
  const changed = await files.read(root, file);
  assert.equal(changed.kind === 'found' && changed.found.report.counts?.total, 12);
  assert.equal((await files.read(root, join(root, 'gone.xml'))).kind, 'skip');
});

test('read: since skips older files, settle defers fresh ones, big files are refused', async (t) => {
  const root = project(t);
  const file = put(root, 'junit.xml', 'pytest-junit.xml');
  const files = new ReportFiles({ ...options, maxBytes: 100 });
  assert.equal((await new ReportFiles(options).read(root, file, { since: Date.now() + 60_000 })).kind, 'skip');
  const settling = await new ReportFiles(options).read(root, file, { settleMs: 60_000 });
  assert.equal(settling.kind, 'settling');
  const big = await files.read(root, file);
  assert.equal(big.kind, 'problem');
  assert.match(big.kind === 'problem' ? big.problem.message : '', /over maxReportBytes \(100\); not read/);
});

test('the watcher records existing reports, then new and rewritten ones as they are written; garbage is reported', async (t) => {
  const root = project(t);
  put(root, 'coverage/lcov.info', 'lcov.info');
  const found: FoundReport[] = [];
  const problems: ReportProblem[] = [];
  const w = new ReportWatcher(() => [root], new ReportFiles(options), {
    onFound: (f) => void found.push(f),
    onProblem: (p) => void problems.push(p),
    onTruncated: () => assert.fail('not truncated'),
    onWatchError: (dir, err) => assert.fail(`${dir}: ${err.message}`),
  }, { settleMs: 100, debounceMs: 50, maxWatchedDirs: 50 });
  t.after(() => w.close());
  await w.scan();
  // Written just now: read once it has settled.
  await until('the existing report', () => found.length === 1);
  assert.deepEqual(found.map((f) => f.rel), ['coverage/lcov.info']);
  assert.ok(w.watched.includes(root));

  // A new directory with a report written a moment later (how runners do it): no rescan timer runs here.
  mkdirSync(join(root, 'test-results'));
  await new Promise((r) => setTimeout(r, 400));
  put(root, 'test-results/junit-unit.xml', 'pytest-junit.xml');
  await until('the new report', () => found.some((f) => f.rel === 'test-results/junit-unit.xml'));

  put(root, 'coverage/lcov.info', 'SF:a.js\nLF:10\nLH:5\nend_of_record\n', false);
  await until('the rewritten lcov', () => found.filter((f) => f.rel === 'coverage/lcov.info').length === 2);
  assert.equal(found.at(-1)?.report.coverage?.lines, 50);

  put(root, 'junit-broken.xml', 'truncated-junit.xml');
  await until('the broken report to be reported', () => problems.length === 1);
  assert.equal(problems[0]?.rel, 'junit-broken.xml');
  assert.match(problems[0]?.message ?? '', /not well-formed XML/);
  assert.equal(found.length, 3);
});
