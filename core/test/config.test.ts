// The config file and its plugin entries: syntax and schema errors with file:line:col and JSON
// path, defaults and freezing, loading entries by id, path, directory and package name, and
// applying edits to a running kernel (reload and watch).
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, Kernel } from '../src/kernel.js';
import { editConfigFile } from '../src/config/edit.js';
import { createTestKernel } from '../src/testing/index.js';
import { FIXTURES, openWithConfigFile, plugin, stateOf, tempDir, until } from './fixtures/kernel-helpers.js';
import { DEFAULT_ENABLED } from '../src/plugins/first-party.js';

const PLUGINS = join(FIXTURES, 'plugins');

/** Open a kernel on `text` and return the ConfigError it must throw. */
function configErrorOf(t: { after(fn: () => unknown): void }, text: string): { error: ConfigError; file: string } {
  const dir = tempDir(t);
  const file = join(dir, 'devflow.config.json');
  writeFileSync(file, text);
  try {
    const k = Kernel.open({ configFile: file, databasePath: join(dir, 'db.sqlite'), env: { ...process.env, DEVFLOW_HOME: dir }, cwd: dir });
    t.after(() => k.stop());
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return { error: e, file };
  }
  assert.fail('Kernel.open accepted the config');
}

describe('config file errors', () => {
  test('malformed JSON: KRN_ERR_CONFIG_SYNTAX with file:line:col', (t) => {
    const { error, file } = configErrorOf(t, '{\n  "plugins": {\n    "a": true\n    "b": false\n  }\n}\n');
    assert.equal(error.problems.length, 1);
    const [p] = error.problems;
    assert.equal(p?.code, 'KRN_ERR_CONFIG_SYNTAX');
    assert.ok(p?.detail.startsWith(`${file}:4:5 `), p?.detail);
    assert.deepEqual({ line: p?.data?.line, column: p?.data?.column }, { line: 4, column: 5 });
    assert.match(error.message, /KRN_ERR_CONFIG_SYNTAX/);
  });

  test('a config that is not an object is a syntax problem too', (t) => {
    const { error } = configErrorOf(t, '[1, 2]\n');
    assert.equal(error.problems[0]?.code, 'KRN_ERR_CONFIG_SYNTAX');
    assert.match(error.problems[0]?.detail ?? '', /must be a JSON object/);
  });

  test('unknown top-level keys: every one reported with its key, JSON path and position', (t) => {
    const { error, file } = configErrorOf(t, '{\n  "projects": [],\n  "plugns": {},\n  "logging": { "levl": "debug" }\n}\n');
    const lines = error.problems.map((p) => `${p.code} ${p.detail}`);
    assert.deepEqual(lines.sort(), [
      `KRN_ERR_CONFIG_INVALID ${file}:3:3 plugns unknown key "plugns"; remove it or check its spelling`,
      `KRN_ERR_CONFIG_INVALID ${file}:4:16 logging.levl unknown key "levl"; remove it or check its spelling`,
    ].sort());
    assert.deepEqual(error.problems.map((p) => p.data?.path).sort(), ['logging.levl', 'plugns']);
    for (const p of error.problems) assert.equal(p.plugin, undefined);
  });

  test('a bad kernel value names its path and the rule', (t) => {
    const { error } = configErrorOf(t, JSON.stringify({ storage: { batchSize: 0 }, logging: { level: 'loud' } }));
    const details = error.problems.map((p) => p.detail);
    assert.equal(details.length, 2);
    assert.ok(details.some((d) => /:1:\d+ logging\.level must be one of "trace", "debug"/.test(d)), details.join('\n'));
    assert.ok(details.some((d) => /:1:\d+ storage\.batchSize must be >= 1/.test(d)), details.join('\n'));
  });

  test('a missing --config file is KRN_ERR_CONFIG_NOT_FOUND naming the file', (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'nowhere.json');
    assert.throws(
      () => Kernel.open({ configFile: file, databasePath: ':memory:', env: { ...process.env, DEVFLOW_HOME: dir }, cwd: dir }),
      (e: unknown) => e instanceof ConfigError && e.problems[0]?.code === 'KRN_ERR_CONFIG_NOT_FOUND' && e.problems[0].detail.includes(file),
    );
  });

  test('an invalid plugin config from a file points at the key: file:line:col and JSON path', async (t) => {
    const churn = plugin('churn', {
      config: { type: 'object', properties: { windowDays: { type: 'integer', minimum: 1 } }, additionalProperties: false },
    });
    const fk = openWithConfigFile(t, { plugins: { churn: { config: { windowDays: 0, colour: 'red' } } } }, { plugins: [churn] });
    const report = await fk.kernel.start();
    const details = report.problems.map((p) => `${p.plugin} ${p.code} ${p.detail}`).sort();
    // Line 4 is `"config": {`, line 5 `"windowDays": 0,`, line 6 `"colour": "red"` (2-space JSON).
    assert.deepEqual(details, [
      `churn KRN_ERR_CONFIG_INVALID ${fk.configFile}:5:9 plugins.churn.config.windowDays must be >= 1`,
      `churn KRN_ERR_CONFIG_INVALID ${fk.configFile}:6:9 plugins.churn.config.colour unknown key "colour"; remove it or check its spelling`,
    ]);
    assert.equal(stateOf(fk.kernel, 'churn'), 'failed');
  });

  test('an unknown key in one plugin entry blocks only that plugin (and its dependents)', async (t) => {
    const fk = openWithConfigFile(
      t,
      { plugins: { typo: { enabled: true, confg: {} }, 'on-typo': true, fine: true } },
      { plugins: [plugin('typo'), plugin('on-typo', { dependencies: { typo: '*' } }), plugin('fine')] },
    );
    const report = await fk.kernel.start();
    const typo = report.problems.find((p) => p.plugin === 'typo');
    assert.equal(typo?.code, 'KRN_ERR_CONFIG_INVALID');
    assert.match(typo?.detail ?? '', /devflow\.config\.json:5:7 plugins\.typo\.confg unknown key "confg"/);
    assert.equal(stateOf(fk.kernel, 'typo'), 'failed');
    assert.equal(stateOf(fk.kernel, 'on-typo'), 'skipped');
    assert.equal(report.problems.find((p) => p.plugin === 'on-typo')?.code, 'KRN_ERR_DEPENDENCY_FAILED');
    assert.deepEqual(report.started, ['fine']);
  });
});

describe('config values', () => {
  test('plugin config: defaults applied (nested too) and the result deeply frozen', async (t) => {
    let config: Record<string, unknown> = {};
    const p = plugin('defaults', {
      config: {
        type: 'object',
        properties: {
          windowDays: { type: 'integer', default: 30 },
          name: { type: 'string' },
          limits: { type: 'object', properties: { max: { type: 'integer', default: 5 } }, default: {} },
        },
      },
      start: (ctx) => void (config = ctx.config),
    });
    await createTestKernel({ t, plugins: [p], config: { plugins: { defaults: { config: { name: 'x' } } } } });
    assert.deepEqual(config, { name: 'x', windowDays: 30, limits: { max: 5 } });
    assert.throws(() => {
      config.windowDays = 1;
    }, TypeError);
    assert.throws(() => {
      (config.limits as Record<string, unknown>).max = 1;
    }, TypeError);
    assert.equal(config.windowDays, 30);
  });

  test('kernel defaults: every section filled in', async (t) => {
    const tk = await createTestKernel({ t });
    const c = tk.kernel.config;
    assert.equal(c.kernel.startTimeoutMs, 10000);
    assert.equal(c.kernel.stopTimeoutMs, 5000);
    assert.equal(c.rbac.localRole, 'developer');
    assert.equal(c.storage.batchSize, 2000);
    assert.deepEqual(c.projects, []);
  });

  test('projects are resolved relative to the config file', async (t) => {
    const fk = openWithConfigFile(t, { projects: ['./app', '/abs/other'] });
    assert.deepEqual(fk.kernel.config.projects, [join(fk.dir, 'app'), '/abs/other']);
  });
});

describe('plugin entries', () => {
  test('loaded by relative path from the config file’s directory, with or without extension', async (t) => {
    const fk = openWithConfigFile(t, { plugins: { './local/plugin': true } }, { cwd: tempDir(t) });
    mkdirSync(join(fk.dir, 'local'));
    writeFileSync(
      join(fk.dir, 'local', 'plugin.mjs'),
      "export default { id: 'local-plugin', version: '1.0.0', kernel: '^1.0.0', start: () => ({ ok: true }) };\n",
    );
    const report = await fk.kernel.start();
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.started, ['local-plugin']);
    assert.equal(fk.kernel.status().plugins.find((p) => p.id === 'local-plugin')?.entry, './local/plugin');
  });

  test('two entries that load the same plugin: KRN_ERR_PLUGIN_DUPLICATE naming both entries', async (t) => {
    const fk = openWithConfigFile(t, { plugins: { './twice.mjs': true, './twice': true } });
    writeFileSync(join(fk.dir, 'twice.mjs'), "export default { id: 'twice', version: '1.0.0', kernel: '^1.0.0', start() {} };\n");
    const report = await fk.kernel.start();
    assert.equal(report.problems.length, 1);
    const [p] = report.problems;
    assert.deepEqual([p?.plugin, p?.code], ['twice', 'KRN_ERR_PLUGIN_DUPLICATE']);
    assert.match(p?.detail ?? '', /entry "\.\/twice" has id "twice", already used by entry "\.\/twice\.mjs"/);
    assert.deepEqual(report.started, ['twice']);
  });

  test('loaded by directory with package.json, by package name, and with default/named/CommonJS exports unwrapped', async (t) => {
    const dir = tempDir(t);
    mkdirSync(join(dir, 'node_modules', '@acme'), { recursive: true });
    symlinkSync(join(PLUGINS, 'pkg-hello'), join(dir, 'node_modules', '@acme', 'devflow-hello'), 'dir');
    const rel = (f: string) => `./${relative(dir, join(PLUGINS, f))}`;
    const entries = [rel('dir-plugin'), '@acme/devflow-hello', rel('named-export.mjs'), rel('commonjs-plugin.cjs')];
    const fk = openWithConfigFile(t, { plugins: Object.fromEntries(entries.map((e) => [e, true])) }, { dir });
    const report = await fk.kernel.start();
    assert.deepEqual(report.problems.map((p) => p.message), []);
    assert.deepEqual([...report.started].sort(), ['acme-hello', 'commonjs-plugin', 'dir-plugin', 'named-export']);
    const dirTool = await fk.kernel.callTool('dir_hello', {});
    assert.deepEqual(dirTool.ok && dirTool.value, { from: 'dir-plugin' });
    const hello = fk.kernel.status().plugins.find((p) => p.id === 'acme-hello');
    assert.deepEqual([hello?.entry, hello?.version], ['@acme/devflow-hello', '2.0.0']);
  });

  test('bad entries: not found, not a plugin, throws on import — all reported at once, each naming its entry', async (t) => {
    const dir = tempDir(t);
    const rel = (f: string) => `./${relative(dir, join(PLUGINS, f))}`;
    const fk = openWithConfigFile(
      t,
      {
        plugins: {
          './missing-plugin.mjs': true,
          'devflow-no-such-package': true,
          [rel('not-a-plugin.mjs')]: true,
          [rel('throws-on-import.mjs')]: true,
          [rel('dir-plugin')]: true,
        },
      },
      { dir },
    );
    const report = await fk.kernel.start();
    const byEntry = new Map(report.problems.map((p) => [p.plugin, p]));
    assert.equal(report.problems.length, 4, report.problems.map((p) => p.message).join('\n'));

    const missing = byEntry.get('./missing-plugin.mjs');
    assert.equal(missing?.code, 'KRN_ERR_PLUGIN_NOT_FOUND');
    assert.match(missing?.detail ?? '', /"\.\/missing-plugin\.mjs" resolves to no package or file \(tried .*missing-plugin\.mjs/);
    const pkg = byEntry.get('devflow-no-such-package');
    assert.equal(pkg?.code, 'KRN_ERR_PLUGIN_NOT_FOUND');
    assert.match(pkg?.detail ?? '', /tried devflow-no-such-package, @devflow\/plugin-devflow-no-such-package/);
    const notPlugin = byEntry.get(rel('not-a-plugin.mjs'));
    assert.equal(notPlugin?.code, 'KRN_ERR_PLUGIN_INVALID');
    assert.match(notPlugin?.detail ?? '', /not-a-plugin\.mjs" exports an object with keys hello, answer, not a plugin definition/);
    const throws = byEntry.get(rel('throws-on-import.mjs'));
    assert.equal(throws?.code, 'KRN_ERR_PLUGIN_LOAD');
    assert.match(throws?.detail ?? '', /throws-on-import\.mjs failed: fixture exploded on import/);

    assert.deepEqual(report.started, ['dir-plugin']);
    for (const entry of byEntry.keys()) assert.equal(fk.kernel.status().plugins.find((p) => p.entry === entry)?.state, 'failed', entry);
  });
});

describe('applying config edits to a running kernel', () => {
  const plugins = () => [
    plugin('base', {
      permissions: ['base:read'],
      start: (ctx) => void ctx.tools.register({ name: 'base_info', description: 'Reports on the base plugin.', permission: 'base:read', inputSchema: { type: 'object' } }, () => ({})),
    }),
    plugin('child', { dependencies: { base: '^1.0.0' } }),
    plugin('other'),
  ];

  test('reload: disabling stops the plugin and its dependents and removes their tools; enabling starts them again', async (t) => {
    const fk = openWithConfigFile(t, { plugins: { base: true, child: true, other: true } }, { plugins: plugins() });
    await fk.kernel.start();
    assert.ok(fk.kernel.tools.get('base_info'));

    editConfigFile(fk.configFile, [{ path: ['plugins', 'base'], value: false }]);
    const off = await fk.kernel.reload();
    assert.ok(!(off instanceof Error));
    assert.deepEqual(off.stopped, ['child', 'base']);
    assert.equal(stateOf(fk.kernel, 'base'), 'disabled');
    // docs/errors.md: a plugin whose required dependency is missing or disabled is `failed`.
    assert.equal(stateOf(fk.kernel, 'child'), 'failed');
    assert.equal(off.problems.find((p) => p.plugin === 'child')?.code, 'KRN_ERR_DEPENDENCY_MISSING');
    assert.match(off.problems.find((p) => p.plugin === 'child')?.detail ?? '', /"base".*is disabled/);
    assert.equal(stateOf(fk.kernel, 'other'), 'started');
    assert.equal(fk.kernel.tools.get('base_info'), undefined);

    editConfigFile(fk.configFile, [{ path: ['plugins', 'base'], value: true }]);
    const on = await fk.kernel.reload();
    assert.ok(!(on instanceof Error));
    assert.deepEqual(on.started, ['base', 'child']);
    assert.deepEqual(on.problems, []);
    assert.ok(fk.kernel.tools.get('base_info'));
  });

  test('reload: disabling a plugin loaded by path tells its dependents it is disabled, by its id', async (t) => {
    const fk = openWithConfigFile(t, { plugins: { './base.mjs': true, child: true } }, { plugins: [plugin('child', { dependencies: { 'path-base': '^1.0.0' } })] });
    writeFileSync(join(fk.dir, 'base.mjs'), "export default { id: 'path-base', version: '1.0.0', kernel: '^1.0.0', start() {} };\n");
    assert.deepEqual((await fk.kernel.start()).started, ['path-base', 'child']);
    editConfigFile(fk.configFile, [{ path: ['plugins', './base.mjs'], value: false }]);
    const report = await fk.kernel.reload();
    assert.ok(!(report instanceof Error));
    assert.deepEqual(report.stopped, ['child', 'path-base']);
    assert.match(report.problems[0]?.detail ?? '', /needs "path-base" \^1\.0\.0, which is disabled; enable "\.\/base\.mjs" in the config/);
    assert.equal(stateOf(fk.kernel, 'path-base'), 'disabled');
  });

  test('reload: a changed plugin config restarts that plugin (and its dependents) with the new values', async (t) => {
    const seen: unknown[] = [];
    const tuned = plugin('tuned', {
      config: { type: 'object', properties: { level: { type: 'integer', default: 1 } } },
      start: (ctx) => void seen.push(ctx.config.level),
    });
    const fk = openWithConfigFile(t, { plugins: { tuned: true, 'on-tuned': true, other: true } }, { plugins: [tuned, plugin('on-tuned', { dependencies: { tuned: '*' } }), plugin('other')] });
    await fk.kernel.start();
    editConfigFile(fk.configFile, [{ path: ['plugins', 'tuned'], value: { config: { level: 7 } } }]);
    const report = await fk.kernel.reload();
    assert.ok(!(report instanceof Error));
    assert.deepEqual(report.stopped, ['on-tuned', 'tuned']);
    assert.deepEqual(report.started, ['tuned', 'on-tuned']);
    assert.deepEqual(seen, [1, 7]);
  });

  test('reload: a broken file is refused with its problems and the running plugins stay as they were', async (t) => {
    const fk = openWithConfigFile(t, { plugins: { base: true, child: true, other: true } }, { plugins: plugins() });
    await fk.kernel.start();
    fk.write('{ "plugins": { "base": false ');
    const result = await fk.kernel.reload();
    assert.ok(result instanceof ConfigError);
    assert.equal(result.problems[0]?.code, 'KRN_ERR_CONFIG_SYNTAX');
    for (const id of ['base', 'child', 'other']) assert.equal(stateOf(fk.kernel, id), 'started', id);
    assert.ok(fk.kernel.tools.get('base_info'));
  });

  test('watchConfig: an edit to the file is applied without calling reload', async (t) => {
    const fk = openWithConfigFile(t, { plugins: { base: true, child: true, other: true } }, { plugins: plugins(), watchConfig: true });
    await fk.kernel.start();
    assert.equal(stateOf(fk.kernel, 'base'), 'started');
    editConfigFile(fk.configFile, [{ path: ['plugins', 'base'], value: false }]);
    await until(() => stateOf(fk.kernel, 'base') === 'disabled', 'the watcher to disable base');
    assert.equal(stateOf(fk.kernel, 'child'), 'failed');
    assert.equal(fk.kernel.tools.get('base_info'), undefined);
    editConfigFile(fk.configFile, [{ path: ['plugins', 'base'], value: true }]);
    await until(() => stateOf(fk.kernel, 'child') === 'started', 'the watcher to start base and child again');
    assert.ok(fk.kernel.tools.get('base_info'));
  });
});

test('a config file without "plugins" runs the default first-party plugins; "plugins": {} runs none', async (t) => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { Kernel } = await import('../src/kernel.js');
  const { createRootLogger } = await import('../src/logger.js');
  const dir = mkdtempSync(join(tmpdir(), 'devflow-defaults-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'devflow.config.json');
  const ids = async (config: unknown) => {
    writeFileSync(file, JSON.stringify(config));
    const k = Kernel.open({ configFile: file, databasePath: join(dir, 'db.sqlite'), logger: createRootLogger({ level: 'silent' }), cwd: dir, env: { ...process.env, DEVFLOW_HOME: dir } });
    try {
      return (await k.check()).plugins.map((p) => p.id);
    } finally {
      await k.stop();
    }
  };
  assert.deepEqual((await ids({ projects: [] })).sort(), [...DEFAULT_ENABLED].sort());
  assert.deepEqual(await ids({ projects: [], plugins: {} }), []);
});
