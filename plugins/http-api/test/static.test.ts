import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { definePlugin } from '@devflow/plugin-sdk';
import type { HttpApi } from '../src/index.js';
import { rawGet, request, startApi } from './helpers.js';

const SECRET = 'TOP-SECRET-CONTENT';

function site(t: { after(fn: () => unknown): void }) {
  const root = mkdtempSync(join(tmpdir(), 'devflow-static-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const web = join(root, 'web');
  mkdirSync(join(web, 'sub'), { recursive: true });
  mkdirSync(join(root, 'docs'));
  writeFileSync(join(root, 'secret.txt'), SECRET);
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>DevFlow</title><main id="app"></main>');
  writeFileSync(join(web, 'app.js'), `// app\n${'console.log("devflow dashboard");\n'.repeat(200)}`);
  writeFileSync(join(web, 'sub', 'index.html'), '<p>sub</p>');
  symlinkSync(join(root, 'secret.txt'), join(web, 'leak.txt'));
  writeFileSync(join(root, 'docs', 'guide.txt'), 'the guide');
  return { root, web, docs: join(root, 'docs') };
}

const webapp = (dirs: { web: string; docs: string }) =>
  definePlugin({
    id: 'webapp',
    version: '1.0.0',
    kernel: '^1.0.0',
    dependencies: { 'http-api': '^1.0.0' },
    start(ctx) {
      const http = ctx.use('http-api') as HttpApi;
      http.serveStatic({ plugin: ctx.id, prefix: '/', dir: dirs.web, spa: true });
      http.serveStatic({ plugin: ctx.id, prefix: '/docs', dir: dirs.docs });
    },
  });

test('serveStatic: files, index.html, SPA fallback for pages only, ETag 304, gzip, HEAD', async (t) => {
  const dirs = site(t);
  const a = await startApi(t, { plugins: [webapp(dirs)] });
  const index = await request(`${a.url}/`);
  assert.equal(index.status, 200);
  assert.match(String(index.headers['content-type']), /^text\/html/);
  assert.match(index.text, /<title>DevFlow<\/title>/);
  assert.equal((await request(`${a.url}/sub/`)).text, '<p>sub</p>');
  const page = await request(`${a.url}/activity/today`);
  assert.equal(page.status, 200, 'a client route gets index.html');
  assert.match(page.text, /DevFlow/);
  const missingAsset = await request(`${a.url}/missing.js`);
  assert.equal(missingAsset.status, 404, 'a missing file with an extension is a 404, not the app');
  assert.equal(missingAsset.json().error.code, 'HTTP_ERR_NOT_FOUND');
  const api404 = await request(`${a.url}/api/v1/unknown`, { token: a.token });
  assert.equal(api404.status, 404);
  assert.equal(api404.json().error.code, 'HTTP_ERR_NOT_FOUND', 'API paths never fall back to the app');
  assert.equal((await request(`${a.url}/docs/guide.txt`)).text, 'the guide');

  const js = await request(`${a.url}/app.js`);
  assert.equal(js.status, 200);
  assert.match(String(js.headers['content-type']), /^text\/javascript/);
  const etag = String(js.headers.etag);
  assert.match(etag, /^W\/"[0-9a-f]+-[0-9a-f]+"$/);
  const again = await request(`${a.url}/app.js`, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  const gz = await request(`${a.url}/app.js`, { headers: { 'accept-encoding': 'gzip, br' } });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.ok(gz.body.length < js.body.length / 5);
  assert.equal(gunzipSync(gz.body).toString('utf8'), readFileSync(join(dirs.web, 'app.js'), 'utf8'));
  const head = await request(`${a.url}/app.js`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(Number(head.headers['content-length']), js.body.length);
  assert.equal((await request(`${a.url}/app.js`, { method: 'POST' })).status, 404, 'static files answer GET and HEAD only');
});

test('serveStatic refuses path traversal: 400 or 404, never a file outside the directory', async (t) => {
  const dirs = site(t);
  const a = await startApi(t, { plugins: [webapp(dirs)] });
  const attempts = [
    '/../secret.txt',
    '/docs/../secret.txt',
    '/docs/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/docs/%2e%2e/secret.txt',
    '/docs/%2E%2E/%2E%2E/secret.txt',
    '/docs/..%2fsecret.txt',
    '/docs/%2e%2e%2fsecret.txt',
    '/docs/..%5csecret.txt',
    '/docs/..\\secret.txt',
    '/docs/guide.txt%00.html',
    '/docs/%00',
    '/docs/%E0%A4%A',
    `/docs/${dirs.root}/secret.txt`,
    `/docs/${encodeURIComponent(join(dirs.root, 'secret.txt'))}`,
    '/docs//etc/passwd',
    '/leak.txt',
    '/docs/./guide.txt',
  ];
  for (const path of attempts) {
    const r = await rawGet(a.url, path);
    assert.ok(r.status === 400 || r.status === 404, `${path} → ${r.status}`);
    assert.ok(!r.text.includes(SECRET), `${path} leaked the secret`);
    assert.ok(['HTTP_ERR_PATH_INVALID', 'HTTP_ERR_NOT_FOUND'].includes(r.json().error.code), path);
  }
  for (const path of ['/..%2f..%2fsecret.txt', '/%2e%2e%2f%2e%2e%2fsecret.txt', `/${dirs.root}/secret.txt`]) {
    const r = await rawGet(a.url, path);
    assert.ok(!r.text.includes(SECRET), `${path} leaked the secret through the SPA mount`);
  }
});

test('serveStatic checks its definition and goes away with its plugin', async (t) => {
  const dirs = site(t);
  const a = await startApi(t, { plugins: [webapp(dirs)] });
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ plugin: 'x', prefix: '/x', dir: 'relative/dir' }, /must be an absolute path/],
    [{ plugin: 'x', prefix: '/x', dir: join(dirs.root, 'nope') }, /not a readable directory/],
    [{ plugin: 'x', prefix: '/api', dir: dirs.web }, /reserved/],
    [{ plugin: 'x', prefix: '/a/../b', dir: dirs.web }, /prefix/],
    [{ plugin: 'x', prefix: '/docs', dir: dirs.web }, /already served by plugin "webapp"/],
  ];
  for (const [def, message] of bad) {
    assert.throws(() => a.api.serveStatic(def as never), (e: Error & { code?: string }) => e.code === 'HTTP_ERR_STATIC_INVALID' && message.test(e.message));
  }
  const extra = a.api.serveStatic({ plugin: 'probe', prefix: '/extra', dir: dirs.docs });
  assert.equal((await request(`${a.url}/extra/guide.txt`)).status, 200);
  extra.dispose();
  assert.equal((await request(`${a.url}/extra/guide.txt`)).status, 404, 'disposed (and the SPA mount at / does not answer for a file name)');
  await a.tk.kernel.setPluginEnabled('webapp', false, a.tk.kernel.localPrincipal);
  assert.equal((await request(`${a.url}/`)).status, 404);
  assert.equal((await request(`${a.url}/docs/guide.txt`)).status, 404);
});
