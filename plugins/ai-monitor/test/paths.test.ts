import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ProjectMatcher, defaultRoots, expandHome, geminiProjectHash, rootsFor } from '../src/paths.js';
import { tempDir } from './helpers.js';

test('default roots follow each tool’s documented locations and environment variables', () => {
  const home = '/home/dev';
  assert.deepEqual(defaultRoots('claude', {}, home), ['/home/dev/.claude/projects', '/home/dev/.config/claude/projects']);
  assert.deepEqual(defaultRoots('claude', { CLAUDE_CONFIG_DIR: '~/alt-claude' }, home), ['/home/dev/alt-claude/projects']);
  assert.deepEqual(defaultRoots('codex', {}, home), ['/home/dev/.codex/sessions']);
  assert.deepEqual(defaultRoots('codex', { CODEX_HOME: '/opt/codex' }, home), ['/opt/codex/sessions']);
  assert.deepEqual(defaultRoots('gemini', {}, home), ['/home/dev/.gemini/tmp']);
  assert.deepEqual(defaultRoots('qwen', {}, home), ['/home/dev/.qwen/projects']);
  assert.deepEqual(rootsFor('claude', ['~/x', '/abs/y', '~/x'], {}, home), ['/home/dev/x', '/abs/y'], 'configured roots replace the defaults, once each');
  assert.equal(expandHome('~', home), home);
});

test('ProjectMatcher: the deepest configured root containing the cwd, through symlinks; Gemini by hash', (t) => {
  const dir = tempDir(t);
  const real = join(dir, 'real', 'app');
  mkdirSync(join(real, 'packages', 'api'), { recursive: true });
  symlinkSync(join(dir, 'real'), join(dir, 'link'));
  const outer = join(dir, 'link');
  const inner = join(dir, 'link', 'app');
  let projects = [outer, inner];
  const m = new ProjectMatcher(() => projects);
  assert.equal(m.forCwd(join(real, 'packages', 'api')), inner, 'the transcript has the resolved path; the config the symlink');
  assert.equal(m.forCwd(join(dir, 'real')), outer);
  assert.equal(m.forCwd(`${real}-other`), outer, 'a sibling with the same prefix is not inside app');
  assert.equal(m.forCwd('/elsewhere'), null);
  assert.equal(m.forGeminiHash(geminiProjectHash(real)), inner);
  projects = [outer];
  assert.equal(m.forCwd(real), outer, 'follows config changes');
});
