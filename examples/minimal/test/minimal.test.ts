import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestKernel } from '@devflow/core/testing';
import { definePlugin } from '@devflow/plugin-sdk';
import { EventCounter } from '../src/counter.js';
import minimal from '../src/index.js';

// A plugin that emits on demand, standing in for a monitor.
const source = definePlugin({
  id: 'source',
  version: '1.0.0',
  kernel: '^1.0.0',
  start(ctx) {
    return { emit: (noun: string) => ctx.events.emit(`source.${noun}.seen`, { noun }) };
  },
});

test('EventCounter orders by count, then by name', () => {
  const c = new EventCounter();
  for (const t of ['b', 'a', 'b', 'c', 'a', 'b']) c.add(t);
  assert.deepEqual(c.top(2), [
    { type: 'b', count: 3 },
    { type: 'a', count: 2 },
  ]);
});

test('minimal counts events through the kernel and answers its tool', async (t) => {
  const tk = await createTestKernel({
    plugins: [minimal, source],
    config: { plugins: { minimal: { config: { ignore: ['kernel.plugin.started'] } } } },
    t,
  });
  const src = tk.use(source);
  await Promise.all([src.emit('file'), src.emit('file'), src.emit('commit')]);

  const r = await tk.callTool('minimal_event_counts', {});
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual((r.value as { counts: unknown[] }).counts, [
    { type: 'source.file.seen', count: 2 },
    { type: 'source.commit.seen', count: 1 },
  ]);
  assert.deepEqual(tk.use(minimal).top(1), [{ type: 'source.file.seen', count: 2 }]);

  const bad = await tk.callTool('minimal_event_counts', { limit: 0 });
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? '' : bad.error.message, /limit must be >= 1/);
});

test('minimal rejects an unknown config key, naming it', async () => {
  await assert.rejects(
    createTestKernel({ plugins: [minimal], config: { plugins: { minimal: { config: { ignor: [] } } } } }),
    /\[minimal\] KRN_ERR_CONFIG_INVALID: .*plugins\.minimal\.config\.ignor unknown key "ignor"/,
  );
});
