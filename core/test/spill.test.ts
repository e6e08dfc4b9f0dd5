// Events the database refuses until shutdown are kept in a spill file and written at the next start.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { definePlugin } from '@devflow/plugin-sdk';
import { Kernel } from '../src/kernel.js';
import { createRootLogger } from '../src/logger.js';

const emitter = definePlugin({
  id: 'emitter',
  version: '1.0.0',
  kernel: '^1.0.0',
  start: (ctx) => ({ emit: (n: number) => ctx.events.emit('emitter.thing.happened', { n }) }),
});

function open(dir: string): Kernel {
  return Kernel.open({
    config: { kernel: { watchConfig: false } },
    plugins: [emitter],
    databasePath: join(dir, 'devflow.db'),
    logger: createRootLogger({ level: 'silent' }),
    cwd: dir,
    env: { ...process.env, DEVFLOW_HOME: dir },
  });
}

test('events refused until shutdown are spilled and recovered once at the next start', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'devflow-spill-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const k1 = open(dir);
  t.after(() => k1.stop());
  await k1.start();
  k1.flush();
  k1.db.exec("CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.type = 'emitter.thing.happened' BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
  const api = k1.pluginApi('emitter') as { emit(n: number): Promise<unknown> };
  for (let i = 0; i < 5; i++) void api.emit(i);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(k1.status().ingest.pending, 5, 'refused events stay queued');
  await k1.stop();
  const spill = join(dir, 'spill');
  assert.equal(readdirSync(spill).filter((f) => f.endsWith('.jsonl')).length, 1);

  const db = new Database(join(dir, 'devflow.db'));
  db.exec('DROP TRIGGER refuse');
  db.close();

  const k2 = open(dir);
  t.after(() => k2.stop());
  const got = k2.events.query({ types: ['emitter.*'] }).events.map((e) => (e.data as { n: number }).n);
  assert.deepEqual(got, [0, 1, 2, 3, 4]);
  assert.deepEqual(readdirSync(spill), [], 'the spill file is gone once written');
  await k2.stop();
  const k3 = open(dir);
  assert.equal(k3.events.count({ types: ['emitter.*'] }), 5, 'recovered exactly once');
  await k3.stop();
  assert.ok(existsSync(join(dir, 'devflow.db')));
});
