// ctx.lease.whileHeld: lease work runs in exactly one kernel per database, moves to another when
// the holder stops, is undone (signal aborted, undo run) on loss, and never runs in a process
// opened with monitors: false.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { definePlugin } from '@devflow/plugin-sdk';
import { Kernel } from '../src/kernel.js';
import { createRootLogger } from '../src/logger.js';

const log: string[] = [];

const watcher = definePlugin({
  id: 'watcher',
  version: '1.0.0',
  kernel: '^1.0.0',
  permissions: ['watch:read'],
  start(ctx) {
    const name = String((ctx.config as Record<string, unknown>).name ?? '?');
    ctx.tools.register(
      { name: 'watch_held', description: 'Whether this process holds the lease.', permission: 'watch:read', inputSchema: { type: 'object' } },
      () => ({ held: ctx.lease.held }),
    );
    ctx.lease.whileHeld((signal) => {
      log.push(`${name}:start`);
      signal.addEventListener('abort', () => log.push(`${name}:aborted`));
      return () => void log.push(`${name}:undo`);
    });
  },
});

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; log: ${log.join(', ')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function open(dir: string, name: string, monitors = true): Kernel {
  return Kernel.open({
    config: { plugins: { watcher: { config: { name } } }, kernel: { leaseTtlMs: 600, watchConfig: false } },
    plugins: [{ ...watcher, config: { type: 'object', properties: { name: { type: 'string' } } } } as typeof watcher],
    databasePath: join(dir, 'devflow.db'),
    logger: createRootLogger({ level: 'silent' }),
    cwd: dir,
    env: { ...process.env, DEVFLOW_HOME: dir },
    monitors,
  });
}

test('lease work runs in one kernel at a time and moves when the holder stops', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'devflow-wh-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  log.length = 0;
  const a = open(dir, 'A');
  await a.start();
  const b = open(dir, 'B');
  await b.start();
  const c = open(dir, 'C', false);
  await c.start();
  t.after(async () => {
    await b.stop();
    await c.stop();
  });
  assert.deepEqual(log, ['A:start']);
  const held = async (k: Kernel) => {
    const r = await k.callTool('watch_held', {});
    return r.ok && (r.value as { held: boolean }).held;
  };
  assert.equal(await held(a), true);
  assert.equal(await held(b), false, 'tools run in every process; the lease work does not');

  await a.stop();
  assert.deepEqual(log.slice(0, 3), ['A:start', 'A:aborted', 'A:undo'], 'on stop: abort, then undo');
  await until('B to take over', () => log.includes('B:start'));
  assert.equal(await held(b), true);
  assert.ok(!log.some((l) => l.startsWith('C:')), 'a kernel opened with monitors: false never runs lease work');
  assert.equal(await held(c), false);
});
