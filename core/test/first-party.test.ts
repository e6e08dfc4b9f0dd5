// The first-party plugins together, loaded by id as the embedded defaults do: they all start, and
// disabling any one monitor leaves the others running.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_ENABLED } from '../src/plugins/first-party.js';
import { createTestKernel } from '../src/testing/index.js';

const MONITORS = ['file-monitor', 'git-monitor', 'test-monitor', 'ai-monitor', 'system-monitor'];

test('the default plugins start together, and disabling any monitor leaves the others running', async (t) => {
  const project = mkdtempSync(join(tmpdir(), 'devflow-fp-'));
  t.after(() => rmSync(project, { recursive: true, force: true }));
  const empty = join(project, 'no-transcripts');
  const tk = await createTestKernel({
    t,
    config: {
      projects: [project],
      plugins: {
        ...Object.fromEntries(DEFAULT_ENABLED.map((id) => [id, { enabled: true }])),
        // Keep the test off the machine's real assistant transcripts.
        'ai-monitor': { config: { sources: { claude: { paths: [empty] }, codex: { paths: [empty] }, gemini: { paths: [empty] }, qwen: { paths: [empty] } }, processes: { enabled: false } } },
      },
    },
  });
  const states = () => new Map(tk.kernel.status().plugins.map((p) => [p.id, p.state]));
  for (const id of DEFAULT_ENABLED) assert.equal(states().get(id), 'started', id);
  const everyday = tk.kernel.tools.list().filter((tool) => tool.everyday);
  assert.ok(everyday.length <= 15, `the default profile holds ${everyday.length} tools`);

  for (const id of MONITORS) {
    const change = await tk.kernel.setPluginEnabled(id, false, tk.kernel.localPrincipal);
    assert.deepEqual(change.stopped, [id], `disabling ${id} stops only it`);
    for (const other of DEFAULT_ENABLED) assert.equal(states().get(other), other === id ? 'disabled' : 'started', `${other} after disabling ${id}`);
    const back = await tk.kernel.setPluginEnabled(id, true, tk.kernel.localPrincipal);
    assert.deepEqual(back.started, [id]);
  }
});
