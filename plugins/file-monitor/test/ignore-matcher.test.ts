// The ignore matcher on real files, checked against git itself (`git check-ignore`) on a real
// repository with nested .gitignore files.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { IgnoreMatcher } from '../src/ignore-matcher.js';

function tree(t: { after(fn: () => void): void }, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'fm-ignore-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

test('default ignores: dependencies, VCS, build outputs, caches, editor scratch files', (t) => {
  const m = new IgnoreMatcher({ root: tree(t, {}) });
  for (const p of ['node_modules/x/index.js', '.git/HEAD', 'dist/app.js', 'packages/web/build/a.js', 'target/debug/x', '.next/cache/a', '.cache/x', '.turbo/log', 'coverage/lcov.info', 'src/.a.ts.swp', 'src/a.ts~', 'tsconfig.tsbuildinfo']) {
    assert.equal(m.ignores(p), true, p);
  }
  for (const p of ['src/index.ts', 'README.md', 'src/build.ts', 'docs/distance.md']) assert.equal(m.ignores(p), false, p);
  assert.equal(m.ignores('dist', true), true, 'the directory itself');
  assert.equal(m.ignores('dist', false), false, 'a file named like a directory pattern is not');
});

test('configured patterns add to the defaults and "!pattern" re-includes one', (t) => {
  const m = new IgnoreMatcher({ root: tree(t, {}), patterns: ['*.gen.ts', '!build/', 'tmp/'] });
  assert.equal(m.ignores('src/api.gen.ts'), true);
  assert.equal(m.ignores('build/out.js'), false, 'build/ re-included');
  assert.equal(m.ignores('tmp/x.ts'), true);
  const skip = m.backendIgnore();
  assert.ok(skip);
  assert.equal(skip.flags, '', 'the native matcher takes no flags');
  assert.ok(skip.test('/home/me/app/node_modules') && skip.test('/home/me/app/packages/web/node_modules'));
  assert.ok(skip.test('/home/me/app/tmp') && skip.test('/x/.git'));
  assert.ok(!skip.test('/home/me/app/build'), 'a re-included directory is not skipped by the backend');
  assert.ok(!skip.test('/home/me/app/node_modules_docs') && !skip.test('/home/me/app/src/distance'));
  const anchored = new IgnoreMatcher({ root: '/r/app', defaults: false, patterns: ['/vendor/', 'cache/'] }).backendIgnore();
  assert.ok(anchored?.test('/r/app/vendor') && !anchored.test('/r/app/lib/vendor') && anchored.test('/r/app/lib/cache'));
  const none = new IgnoreMatcher({ root: tree(t, {}), defaults: false });
  assert.equal(none.ignores('node_modules/x.js'), false);
});

test('nested .gitignore files agree with git check-ignore', (t) => {
  const root = tree(t, {
    '.gitignore': '*.log\n/generated/\nsecrets.*\n!secrets.example\nout-*/\n',
    'src/.gitignore': '*.tmp.ts\n!keep.log\nlocal/\n',
    'src/deep/.gitignore': '!*.tmp.ts\n',
    'generated/.gitignore': '!a.ts\n',
    'src/a.ts': '', 'src/keep.log': '', 'src/other.log': '', 'src/x.tmp.ts': '', 'src/deep/y.tmp.ts': '',
    'src/local/z.ts': '', 'generated/a.ts': '', 'generated/b.ts': '', 'secrets.json': '', 'secrets.example': '',
    'app.log': '', 'out-1/x.ts': '', 'docs/generated/c.ts': '', 'docs/readme.md': '',
  });
  execFileSync('git', ['init', '-q', root]);
  const m = new IgnoreMatcher({ root, defaults: false });
  const paths = ['src/a.ts', 'src/keep.log', 'src/other.log', 'src/x.tmp.ts', 'src/deep/y.tmp.ts', 'src/local/z.ts', 'generated/a.ts', 'generated/b.ts', 'secrets.json', 'secrets.example', 'app.log', 'out-1/x.ts', 'docs/generated/c.ts', 'docs/readme.md'];
  let gitSays: Set<string>;
  try {
    gitSays = new Set(execFileSync('git', ['-C', root, 'check-ignore', '--no-index', ...paths], { encoding: 'utf8' }).split('\n').filter(Boolean));
  } catch (e) {
    gitSays = new Set(String((e as { stdout?: string }).stdout ?? '').split('\n').filter(Boolean)); // exit 1 = none ignored
  }
  for (const p of paths) assert.equal(m.ignores(p), gitSays.has(p), `${p}: git says ${gitSays.has(p) ? 'ignored' : 'not ignored'}`);
  // a sanity check that the fixture exercises both outcomes, nested negation included
  assert.ok(gitSays.has('generated/a.ts') && !gitSays.has('src/keep.log') && !gitSays.has('src/deep/y.tmp.ts') && gitSays.has('src/x.tmp.ts'));
});

test('.git/info/exclude applies, and a changed .gitignore is re-read after invalidate', (t) => {
  const root = tree(t, { '.gitignore': 'a.txt\n' });
  execFileSync('git', ['init', '-q', root]);
  writeFileSync(join(root, '.git', 'info', 'exclude'), 'excluded.md\n');
  const m = new IgnoreMatcher({ root });
  assert.equal(m.ignores('excluded.md'), true);
  assert.equal(m.ignores('a.txt'), true);
  assert.equal(m.ignores('b.txt'), false);
  writeFileSync(join(root, '.gitignore'), 'b.txt\n');
  assert.equal(m.ignores('b.txt'), false, 'cached until invalidated');
  assert.equal(m.isIgnoreFile('.gitignore'), true);
  assert.equal(m.isIgnoreFile('src/.gitignore'), true);
  m.invalidate('');
  assert.equal(m.ignores('b.txt'), true);
  assert.equal(m.ignores('a.txt'), false);
});

test('an unreadable .gitignore is reported and treated as empty', (t) => {
  const root = tree(t, {});
  const warnings: string[] = [];
  const m = new IgnoreMatcher({
    root,
    readText: (p) => {
      if (p.endsWith(join('src', '.gitignore'))) throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
      return undefined;
    },
    onWarning: (file) => warnings.push(file),
  });
  assert.equal(m.ignores('src/a.ts'), false);
  assert.deepEqual(warnings, [join(root, 'src', '.gitignore')]);
});
