import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify, commandLine, matchesPattern, redactArgs } from '../src/command.js';
import { DEFAULT_BUILD_PATTERNS, DEFAULT_DEPLOY_PATTERNS, DEFAULT_TEST_PATTERNS } from '../src/config.js';

const patterns = { testPatterns: DEFAULT_TEST_PATTERNS, buildPatterns: DEFAULT_BUILD_PATTERNS, deployPatterns: DEFAULT_DEPLOY_PATTERNS };

test('secrets in arguments are redacted', () => {
  const gh = `ghp_${'a1B2'.repeat(9)}`;
  assert.deepEqual(
    redactArgs([
      'deploy',
      '--token', 'abc123',
      '--api-key=xyz',
      'NPM_TOKEN=s3cret',
      '--password', '--verbose',
      `https://user:hunter2@example.com/repo.git`,
      `--header=Authorization: Bearer ${'x'.repeat(30)}`,
      gh,
      '--no-auth', 'build',
      'PATH=/usr/bin',
    ]),
    ['deploy', '--token', '***', '--api-key=***', 'NPM_TOKEN=***', '--password', '--verbose', 'https://user:***@example.com/repo.git', '--header=Authorization: ***', '***', '--no-auth', 'build', 'PATH=/usr/bin'],
  );
});

test('the command line is shell-quoted, redacted and bounded', () => {
  assert.equal(commandLine(['npm', 'test', '--', '--grep', 'two words', "it's"]), `npm test -- --grep 'two words' 'it'\\''s'`);
  assert.equal(commandLine(['fly', 'deploy', '--access-token', 'tok']), 'fly deploy --access-token ***');
  const long = commandLine(['echo', 'y'.repeat(5000)]);
  assert.equal(long.length, 2000);
  assert.ok(long.endsWith('…'));
});

test('patterns match words in a row, the program by base name, * within a word', () => {
  assert.ok(matchesPattern(['npx', 'tsc', '-b'], 'tsc'));
  assert.ok(matchesPattern(['./node_modules/.bin/tsc'], 'tsc'));
  assert.ok(matchesPattern(['npm', 'run', 'build:prod'], 'npm run build*'));
  assert.ok(matchesPattern(['/usr/bin/make', '-j4'], 'make'));
  assert.ok(matchesPattern(['npm.cmd', 'test'], 'npm test'));
  assert.ok(!matchesPattern(['npm', 'run', 'lint'], 'npm run build*'));
  assert.ok(!matchesPattern(['go', 'vet'], 'go test'));
  assert.ok(!matchesPattern(['npm'], 'npm test'));
  assert.ok(!matchesPattern(['makefile-lint'], 'make'));
});

test('classification: explicit kind, then deploy, test (summary or pattern), build, other', () => {
  const k = (argv: string[], runnerRecognized = false, kind?: 'test' | 'build' | 'deploy' | 'other') => classify(argv, { runnerRecognized, patterns, kind });
  assert.equal(k(['npm', 'run', 'build']), 'build');
  assert.equal(k(['make']), 'build');
  assert.equal(k(['make'], true), 'test', 'a build tool that ran tests is a test run');
  assert.equal(k(['make', 'test']), 'test');
  assert.equal(k(['go', 'test', './...']), 'test');
  assert.equal(k(['cargo', 'build', '--release']), 'build');
  assert.equal(k(['fly', 'deploy']), 'deploy');
  assert.equal(k(['npm', 'run', 'deploy:prod'], true), 'deploy', 'a deploy that runs its tests is still a deploy');
  assert.equal(k(['ls', '-la']), 'other');
  assert.equal(k(['./ship.sh'], false, 'deploy'), 'deploy');
  const custom = classify(['./ship.sh', 'prod'], { runnerRecognized: false, patterns: { ...patterns, deployPatterns: ['ship.sh'] } });
  assert.equal(custom, 'deploy');
});
