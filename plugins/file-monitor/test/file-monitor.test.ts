// file-monitor through the real kernel, on real files in temp directories: events, renames, ignore
// rules, new directories, bursts, the OS watch limit (injected), bad input, tools and the lease.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Kernel } from '@devflow/core';
import { createTestKernel, type TestKernel } from '@devflow/core/testing';
import type { StoredEvent } from '@devflow/plugin-sdk';
import { parcelBackend, type BackendFactory } from '../src/backends.js';
import { nodeInspectorFs, type InspectorFs } from '../src/file-inspector.js';
import fileMonitor, { createFileMonitorPlugin, type FileMonitorApi } from '../src/index.js';
import { lineDelta } from '../src/line-delta.js';
import type { FileChangedData } from '../src/project-watcher.js';

const WAIT = 8000; // liveness deadline, not a performance target

function project(t: { after(fn: () => void): void }, files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'fm-project-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

async function start(t: { after(fn: () => unknown): void }, root: string, config: Record<string, unknown> = {}, plugin = fileMonitor): Promise<TestKernel> {
  const tk = await createTestKernel({ plugins: [plugin], config: { projects: [root], plugins: { 'file-monitor': { config: { coalesceMs: 1500, ...config } } } }, t });
  await tk.use(plugin).ready();
  return tk;
}

const dataOf = (e: StoredEvent) => e.data as unknown as FileChangedData;
const changed = (_tk: TestKernel, path: string, kind?: string) => (e: StoredEvent) => e.type === 'file-monitor.file.changed' && dataOf(e).path === path && (kind === undefined || dataOf(e).kind === kind);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, ms = WAIT): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

test('created and modified files: path, language, size, lines added/removed; repeated saves fold into one event with a count', async (t) => {
  const root = project(t, { 'src/keep.ts': 'x\n' });
  const tk = await start(t, root);
  const started = await tk.waitForEvent((e) => e.type === 'file-monitor.watch.started', WAIT);
  assert.equal((started.data as { backend: string }).backend, 'parcel');
  assert.equal(started.project, root);

  const v1 = 'import a from "a";\n\nexport const x = 1;\n';
  writeFileSync(join(root, 'src/app.ts'), v1);
  const created = await tk.waitForEvent(changed(tk, 'src/app.ts', 'created'), WAIT);
  assert.deepEqual(dataOf(created), { path: 'src/app.ts', kind: 'created', language: 'typescript', ext: 'ts', size: v1.length, lines: 3, linesAdded: 3, linesRemoved: 0, binary: false, count: 1 });
  assert.equal(created.project, root);

  // first save goes out at once; the next saves within coalesceMs become one event
  const v2 = v1.replace('x = 1', 'x = 2');
  writeFileSync(join(root, 'src/app.ts'), v2);
  const first = await tk.waitForEvent(changed(tk, 'src/app.ts', 'modified'), WAIT);
  assert.deepEqual([dataOf(first).linesAdded, dataOf(first).linesRemoved, dataOf(first).count], [1, 1, 1]);
  const before = tk.use(fileMonitor).stats()[root]!;
  let v = v2;
  for (let i = 0; i < 4; i++) {
    await sleep(80);
    v += `export const y${i} = ${i};\n`;
    writeFileSync(join(root, 'src/app.ts'), v);
  }
  await until('the folded save', () => tk.events.filter(changed(tk, 'src/app.ts', 'modified')).length === 2);
  await tk.use(fileMonitor).idle();
  const mods = tk.events.filter(changed(tk, 'src/app.ts', 'modified')).map(dataOf);
  assert.equal(mods.length, 2, 'four saves within the window: one more event');
  const folded = mods[1] as FileChangedData;
  // `count` is the notifications folded in: a save may bring one or two (truncate, then write), and
  // a late second half of the v2 save lands in this window too. Exactly those, no more, no fewer:
  const after = tk.use(fileMonitor).stats()[root]!;
  const foldedNotifications = after.accounted - before.accounted - (after.duplicate - before.duplicate) - (after.transient - before.transient);
  assert.ok(folded.count >= 1, `count ${folded.count}`);
  assert.equal(folded.count, foldedNotifications, 'the folded event accounts for every notification of those saves');
  assert.equal(after.accounted, after.received + after.synthesized, 'every notification taken in is accounted for once idle');
  const expected = lineDelta(v2, v);
  assert.deepEqual([folded.linesAdded, folded.linesRemoved, folded.lines], [expected.added, expected.removed, 7]);

  // a file that existed before the monitor started: no baseline, so no line delta, but a line count
  appendFileSync(join(root, 'src/keep.ts'), 'y\n');
  const keep = dataOf(await tk.waitForEvent(changed(tk, 'src/keep.ts', 'modified'), WAIT));
  assert.deepEqual([keep.lines, keep.linesAdded, keep.linesRemoved], [2, null, null]);
});

test('renames pair an unlink and an add of the same content; deletes report the lines removed', async (t) => {
  const root = project(t);
  const tk = await start(t, root);
  mkdirSync(join(root, 'lib'));
  writeFileSync(join(root, 'util.ts'), 'a\nb\nc\n');
  await tk.waitForEvent(changed(tk, 'util.ts', 'created'), WAIT);
  renameSync(join(root, 'util.ts'), join(root, 'lib/helpers.ts'));
  const renamed = await tk.waitForEvent((e) => e.type === 'file-monitor.file.renamed', WAIT);
  const { count, ...rest } = renamed.data as { count: number };
  assert.deepEqual(rest, { from: 'util.ts', to: 'lib/helpers.ts', language: 'typescript', ext: 'ts', size: 6, lines: 3, linesAdded: 0, linesRemoved: 0, matchedBy: 'content' });
  assert.ok(count >= 2, 'the unlink and the add (and any late notification of the first write)');

  rmSync(join(root, 'lib/helpers.ts'));
  const deleted = await tk.waitForEvent(changed(tk, 'lib/helpers.ts', 'deleted'), WAIT);
  assert.deepEqual([dataOf(deleted).linesRemoved, dataOf(deleted).linesAdded, dataOf(deleted).size], [3, 0, null]);
  await tk.use(fileMonitor).idle();
  assert.equal(tk.events.filter(changed(tk, 'util.ts', 'deleted')).length, 0, 'the rename is not also a delete');
  assert.equal(tk.events.filter(changed(tk, 'lib/helpers.ts', 'created')).length, 0, 'nor a create');
});

test('.gitignore files (nested too), the default ignore list and configured patterns are honoured', async (t) => {
  const root = project(t, { '.gitignore': '*.log\nsecret/\n', 'pkg/.gitignore': 'generated.ts\n!important.log\n' });
  const tk = await start(t, root, { ignore: ['*.bak'] });
  mkdirSync(join(root, 'node_modules/dep'), { recursive: true });
  writeFileSync(join(root, 'node_modules/dep/index.js'), 'x');
  mkdirSync(join(root, 'dist'));
  writeFileSync(join(root, 'dist/bundle.js'), 'x');
  writeFileSync(join(root, 'debug.log'), 'x');
  mkdirSync(join(root, 'secret'));
  writeFileSync(join(root, 'secret/key.ts'), 'x');
  writeFileSync(join(root, 'pkg/generated.ts'), 'x');
  writeFileSync(join(root, 'pkg/important.log'), 'x');
  writeFileSync(join(root, 'notes.bak'), 'x');
  writeFileSync(join(root, 'pkg/.a.ts.swp'), 'x');
  await tk.waitForEvent(changed(tk, 'pkg/important.log', 'created'), WAIT);
  writeFileSync(join(root, 'sentinel.ts'), 'x');
  await tk.waitForEvent(changed(tk, 'sentinel.ts'), WAIT);
  await tk.use(fileMonitor).idle();
  const paths = tk.events.filter((e) => e.type.startsWith('file-monitor.file')).map((e) => dataOf(e).path);
  assert.deepEqual(paths.sort(), ['pkg/important.log', 'sentinel.ts']);

  // a .gitignore edit applies from then on
  writeFileSync(join(root, '.gitignore'), '*.log\nsecret/\nlater.ts\n');
  await tk.waitForEvent(changed(tk, '.gitignore', 'modified'), WAIT);
  writeFileSync(join(root, 'later.ts'), 'x');
  writeFileSync(join(root, 'sentinel2.ts'), 'x');
  await tk.waitForEvent(changed(tk, 'sentinel2.ts'), WAIT);
  await tk.use(fileMonitor).idle();
  assert.equal(tk.events.filter(changed(tk, 'later.ts')).length, 0);
});

test('files inside a directory that appears at once (mkdir -p, mv in) are reported as created', async (t) => {
  const root = project(t);
  const outside = project(t, { 'moved/a.ts': 'a\n', 'moved/deep/b.ts': 'b\n' });
  const tk = await start(t, root);
  mkdirSync(join(root, 'x/y/z'), { recursive: true });
  writeFileSync(join(root, 'x/y/z/new.ts'), 'n\n');
  renameSync(join(outside, 'moved'), join(root, 'moved'));
  for (const p of ['x/y/z/new.ts', 'moved/a.ts', 'moved/deep/b.ts']) await tk.waitForEvent(changed(tk, p, 'created'), WAIT);
  await tk.use(fileMonitor).idle();
  const stats = tk.use(fileMonitor).stats()[root];
  assert.ok(stats && stats.accounted === stats.received + stats.synthesized, JSON.stringify(stats));
  assert.equal(tk.events.filter((e) => e.type === 'file-monitor.file.changed' && ['x', 'x/y', 'x/y/z', 'moved', 'moved/deep'].includes(dataOf(e).path)).length, 0, 'directories are not file events');
});

test('a 2,000-file burst becomes a bulk event and every change is accounted for', async (t) => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 2000; i++) files[`src/m${i % 20}/f${i}.ts`] = `export const v${i} = ${i};\n`;
  const root = project(t, files);
  const tk = await start(t, root);
  for (let i = 0; i < 2000; i++) writeFileSync(join(root, `src/m${i % 20}/f${i}.ts`), `export const v${i} = ${i} + 1;\n`);
  await until('the bulk event', () => tk.events.some((e) => e.type === 'file-monitor.files.bulk-changed'));
  const api = tk.use(fileMonitor);
  await until('every change to be accounted for', () => {
    const s = api.stats()[root];
    return !!s && s.received > 0 && s.accounted === s.received + s.synthesized;
  });
  await api.idle();
  const s = api.stats()[root];
  assert.ok(s);
  assert.equal(s.accounted, s.received + s.synthesized, 'nothing lost');
  const single = tk.events.filter((e) => e.type === 'file-monitor.file.changed');
  const bulks = tk.events.filter((e) => e.type === 'file-monitor.files.bulk-changed').map((e) => e.data as { count: number; files: number; byKind: Record<string, number>; sample: unknown[]; topDirs: { dir: string; files: number }[] });
  assert.ok(bulks.length >= 1 && bulks.length <= 3, `bulk events: ${bulks.length}`);
  assert.ok(single.length <= 5, `single events: ${single.length}`);
  const files_ = bulks.reduce((n, b) => n + b.files, 0) + single.length;
  assert.equal(files_, 2000, 'every file appears in exactly one event');
  const counts = bulks.reduce((n, b) => n + b.count, 0) + single.reduce((n, e) => n + dataOf(e).count, 0);
  assert.equal(counts + s.transient, s.received, 'the counts add up to the notifications received');
  for (const b of bulks) {
    assert.equal(b.byKind.modified, b.files);
    assert.ok(b.sample.length <= 20);
    assert.ok(b.topDirs.length <= 5 && b.topDirs.every((d) => d.dir.startsWith('src/m')));
  }
  // the rollup knows every one of them (bulk changes are counted apart from edits)
  const hot = await tk.callTool('files_hotspots', { since: '1h', limit: 100 });
  assert.ok(hot.ok, JSON.stringify(hot));
  const hf = (hot.value as { files: { bulkChanges: number; changes: number }[] }).files;
  assert.equal(hf.length, 100);
  assert.ok(hf.every((f) => f.bulkChanges + f.changes >= 1));
});

test('the OS watch limit at start: a clear warning with the fix, a degraded event, and polling keeps reporting', async (t) => {
  const root = project(t, { 'a.ts': 'a\n' });
  const limitHit: BackendFactory = async () => {
    throw Object.assign(new Error(`inotify_add_watch on '${root}/src' failed: No space left on device`), { code: 'ENOSPC' });
  };
  const plugin = createFileMonitorPlugin({ factories: { parcel: limitHit } });
  const tk = await start(t, root, { pollMs: 150 }, plugin);
  const degraded = await tk.waitForEvent((e) => e.type === 'file-monitor.watch.degraded', WAIT);
  assert.equal(degraded.severity, 'warn');
  const d = degraded.data as { reason: string; fix: string; mode: string };
  assert.equal(d.reason, 'watch-limit');
  assert.equal(d.mode, 'poll');
  assert.match(d.fix, /sysctl fs\.inotify\.max_user_watches=524288/);
  assert.match(d.fix, /\/etc\/sysctl\.d\//, 'how to persist it');
  const warn = tk.logs.find((l) => l.level === 40 && l.plugin === 'file-monitor' && /watch limit/.test(String(l.msg)));
  assert.ok(warn, 'a warning naming the limit');
  assert.match(String(warn.msg), /max_user_watches=524288/);
  assert.equal(warn.project, root);

  await sleep(400); // the poller's baseline
  writeFileSync(join(root, 'b.ts'), 'b\n');
  appendFileSync(join(root, 'a.ts'), 'more\n');
  await tk.waitForEvent(changed(tk, 'b.ts', 'created'), WAIT);
  await tk.waitForEvent(changed(tk, 'a.ts', 'modified'), WAIT);
  assert.equal(tk.use(plugin).stats()[root]?.backend, 'poll');
  assert.equal(tk.use(plugin).stats()[root]?.degraded, true);
});

test('where parcel cannot run, chokidar takes over (auto), with the same events', async (t) => {
  const root = project(t, { 'src/old.ts': 'o\n' });
  const noParcel: BackendFactory = async () => {
    throw new Error('No prebuild or local build of @parcel/watcher found');
  };
  const plugin = createFileMonitorPlugin({ factories: { parcel: noParcel } });
  const tk = await start(t, root, {}, plugin);
  const started = await tk.waitForEvent((e) => e.type === 'file-monitor.watch.started', WAIT);
  assert.equal((started.data as { backend: string }).backend, 'chokidar');
  assert.ok(tk.logs.some((l) => l.level === 40 && /backend "parcel" could not watch .*trying chokidar/.test(String(l.msg))));
  mkdirSync(join(root, 'node_modules'));
  writeFileSync(join(root, 'node_modules/x.js'), 'x');
  writeFileSync(join(root, 'src/a.ts'), 'a\nb\n');
  assert.equal(dataOf(await tk.waitForEvent(changed(tk, 'src/a.ts', 'created'), WAIT)).linesAdded, 2);
  renameSync(join(root, 'src/a.ts'), join(root, 'src/b.ts'));
  const r = await tk.waitForEvent((e) => e.type === 'file-monitor.file.renamed', WAIT);
  assert.deepEqual([(r.data as { from: string }).from, (r.data as { to: string }).to], ['src/a.ts', 'src/b.ts']);
  mkdirSync(join(root, 'lib/deep'), { recursive: true });
  writeFileSync(join(root, 'lib/deep/c.ts'), 'c\n');
  await tk.waitForEvent(changed(tk, 'lib/deep/c.ts', 'created'), WAIT);
  await tk.use(plugin).idle();
  assert.equal(tk.events.filter((e) => e.type.startsWith('file-monitor.file') && /node_modules/.test(JSON.stringify(e.data))).length, 0);
  assert.equal(tk.use(plugin).stats()[root]?.backend, 'chokidar');
});

test('the watch limit hit while running (a new directory): degrade to polling, keep running', async (t) => {
  const root = project(t, { 'src/a.ts': 'a\n' });
  let fire: ((e: unknown) => void) | undefined;
  const flaky: BackendFactory = async (options, handlers) => {
    fire = handlers.onError;
    return parcelBackend(options, handlers);
  };
  const plugin = createFileMonitorPlugin({ factories: { parcel: flaky } });
  const tk = await start(t, root, { pollMs: 150 }, plugin);
  writeFileSync(join(root, 'src/before.ts'), 'x\n');
  await tk.waitForEvent(changed(tk, 'src/before.ts', 'created'), WAIT);
  fire?.(new Error(`inotify_add_watch on '${root}/src/new' failed: No space left on device`));
  await tk.waitForEvent((e) => e.type === 'file-monitor.watch.degraded', WAIT);
  await sleep(400);
  writeFileSync(join(root, 'src/after.ts'), 'y\n'); // src is a top-level directory: polled
  await tk.waitForEvent(changed(tk, 'src/after.ts', 'created'), WAIT);
});

test('bad input: FIFO, symlink loop, binary and huge files are attributed warnings, and the monitor keeps going', async (t) => {
  const root = project(t);
  const tk = await start(t, root, { maxDiffBytes: 1024, maxHashBytes: 4096 });
  execFileSync('mkfifo', [join(root, 'pipe')]);
  symlinkSync('..', join(root, 'loop'));
  writeFileSync(join(root, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]));
  writeFileSync(join(root, 'big.sql'), 'insert;\n'.repeat(1000));
  for (const p of ['pipe', 'loop', 'logo.png', 'big.sql']) await tk.waitForEvent(changed(tk, p), WAIT);
  const png = dataOf(tk.events.find(changed(tk, 'logo.png')) as StoredEvent);
  assert.deepEqual([png.binary, png.lines, png.linesAdded, png.size], [true, null, null, 8]);
  const big = dataOf(tk.events.find(changed(tk, 'big.sql')) as StoredEvent);
  assert.deepEqual([big.lines, big.size], [null, 8000], 'over maxHashBytes: no line count');
  const warned = (re: RegExp, path: string) => tk.logs.some((l) => l.level === 40 && l.plugin === 'file-monitor' && l.path === path && re.test(String(l.msg)));
  assert.ok(warned(/not a regular file/, 'pipe'), 'FIFO');
  assert.ok(warned(/symlink loop/, 'loop'), 'symlink loop');
  assert.ok(warned(/binary/, 'logo.png'), 'binary');
  assert.ok(warned(/over the size bound/, 'big.sql'), 'huge');

  writeFileSync(join(root, 'after.ts'), 'still here\n');
  await tk.waitForEvent(changed(tk, 'after.ts', 'created'), WAIT);
  assert.equal(tk.kernel.status().plugins.find((p) => p.id === 'file-monitor')?.state, 'started');
  assert.equal(tk.logs.filter((l) => l.level >= 50 && l.plugin === 'file-monitor').length, 0, 'no errors, only warnings');
});

test('vanished and unreadable files: attributed warnings, events without size, and the monitor keeps going', async (t) => {
  const root = project(t);
  const failing: InspectorFs = {
    ...nodeInspectorFs,
    lstat: async (p) => {
      if (p.endsWith('ghost.ts')) throw Object.assign(new Error(`ENOENT: no such file or directory, lstat '${p}'`), { code: 'ENOENT' });
      return nodeInspectorFs.lstat(p);
    },
    read: async (p, pos, len) => {
      if (p.endsWith('locked.ts')) throw Object.assign(new Error(`EACCES: permission denied, open '${p}'`), { code: 'EACCES' });
      return nodeInspectorFs.read(p, pos, len);
    },
  };
  const plugin = createFileMonitorPlugin({ inspectorFs: failing });
  const tk = await start(t, root, {}, plugin);
  writeFileSync(join(root, 'ghost.ts'), 'boo\n');
  writeFileSync(join(root, 'locked.ts'), 'secret\n');
  const ghost = dataOf(await tk.waitForEvent(changed(tk, 'ghost.ts'), WAIT));
  const locked = dataOf(await tk.waitForEvent(changed(tk, 'locked.ts'), WAIT));
  assert.deepEqual([ghost.size, ghost.lines], [null, null]);
  assert.deepEqual([locked.size, locked.lines], [7, null]);
  const warn = (path: string) => tk.logs.find((l) => l.level === 40 && l.plugin === 'file-monitor' && l.path === path);
  assert.match(String(warn('ghost.ts')?.msg), /vanished before it could be read/);
  assert.match(String(warn('locked.ts')?.msg), /cannot read locked\.ts .*EACCES.*check its permissions/);
  writeFileSync(join(root, 'fine.ts'), 'ok\n');
  assert.equal(dataOf(await tk.waitForEvent(changed(tk, 'fine.ts'), WAIT)).lines, 1);
});

test('files_hotspots ranks the most-changed files; activity_recent pages the activity log of every monitor', async (t) => {
  const root = project(t);
  const tk = await start(t, root, { coalesceMs: 0 });
  for (let i = 0; i < 3; i++) {
    writeFileSync(join(root, 'hot.ts'), `v${i}\n`.repeat(i + 1));
    await tk.waitForEvent((e) => e.type === 'file-monitor.file.changed' && dataOf(e).path === 'hot.ts' && tk.events.filter(changed(tk, 'hot.ts')).length === i + 1, WAIT);
    await sleep(60);
  }
  writeFileSync(join(root, 'cold.ts'), 'c\n');
  await tk.waitForEvent(changed(tk, 'cold.ts'), WAIT);
  await tk.use(fileMonitor).idle();

  const hot = await tk.callTool('files_hotspots', { since: '1h', project: root.split('/').pop() });
  assert.ok(hot.ok, JSON.stringify(hot));
  const files = (hot.value as { files: { path: string; changes: number; linesAdded: number; project: string }[] }).files;
  assert.deepEqual(files.map((f) => [f.path, f.changes]), [['hot.ts', 3], ['cold.ts', 1]]);
  assert.equal(files[0]?.project, root);
  assert.equal(files[0]?.linesAdded, 1 + 2 + 3, 'created with 1 line, then +2 and +3 (each version rewrites every line)');
  const none = await tk.callTool('files_hotspots', { project: '/no/such/project' });
  assert.deepEqual(none.ok && (none.value as { files: unknown[] }).files, []);
  const bad = await tk.callTool('files_hotspots', { since: 'last week' });
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? '' : bad.error.message, /since "last week"/);

  const page1 = await tk.callTool('activity_recent', { limit: 2 });
  assert.ok(page1.ok, JSON.stringify(page1));
  const p1 = page1.value as { events: { type: string; summary: string; seq: number }[]; next: number | null };
  assert.equal(p1.events.length, 2);
  assert.equal(p1.events[0]?.summary, 'created cold.ts (+1 -0)');
  assert.ok(p1.next !== null);
  const page2 = await tk.callTool('activity_recent', { limit: 100, cursor: p1.next });
  const p2 = (page2.ok ? page2.value : { events: [] }) as { events: { type: string; seq: number }[] };
  assert.ok(p2.events.every((e) => e.seq < (p1.events[1]?.seq ?? 0)), 'older events on the next page');
  assert.ok(p2.events.some((e) => e.type === 'file-monitor.watch.started'));
  assert.ok(![...p1.events, ...p2.events].some((e) => e.type.startsWith('kernel.')), 'monitors only by default');
  const onlyStarted = await tk.callTool('activity_recent', { types: ['file-monitor.watch.*'] });
  assert.deepEqual(onlyStarted.ok && (onlyStarted.value as { events: { type: string }[] }).events.map((e) => e.type), ['file-monitor.watch.started']);

  const viewer = await tk.as('viewer').callTool('activity_recent', {});
  assert.equal(viewer.ok, true, 'viewers read activity');
  const guest = await tk.as('guest').callTool('files_hotspots', {});
  assert.equal(guest.ok ? '' : guest.error.code, 'KRN_ERR_FORBIDDEN');
});

test('watchers run only in the process holding the lease: two kernels on one database report a change once', async (t) => {
  const root = project(t);
  const home = mkdtempSync(join(tmpdir(), 'fm-lease-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const open = () =>
    Kernel.open({
      config: { projects: [root], kernel: { watchConfig: false, leaseTtlMs: 600 } },
      plugins: [fileMonitor],
      databasePath: join(home, 'devflow.db'),
      logLevel: 'silent',
      cwd: home,
      env: { ...process.env, DEVFLOW_HOME: home },
    });
  const a = open();
  await a.start();
  const b = open();
  await b.start();
  t.after(async () => {
    await b.stop();
    await a.stop();
  });
  const apiA = a.pluginApi('file-monitor') as FileMonitorApi;
  const apiB = b.pluginApi('file-monitor') as FileMonitorApi;
  await apiA.ready();
  assert.deepEqual(Object.keys(apiA.stats()), [root]);
  assert.deepEqual(Object.keys(apiB.stats()), [], 'the second process does not watch');
  writeFileSync(join(root, 'once.ts'), 'x\n');
  const seen = async (k: Kernel) => {
    const r = await k.callTool('activity_recent', { types: ['file-monitor.file.*'] }, k.localPrincipal);
    return r.ok ? (r.value as { events: { summary: string }[] }).events.map((e) => e.summary) : [];
  };
  const deadline = Date.now() + WAIT;
  while (!(await seen(b)).length && Date.now() < deadline) await sleep(50);
  await apiA.idle();
  assert.deepEqual(await seen(b), ['created once.ts (+1 -0)'], 'tools run in every process, and the change is there once');
});
