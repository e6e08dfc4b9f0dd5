#!/usr/bin/env node
// Runs every compiled test file of every workspace with node's test runner (spec reporter on
// stdout). Also writes a TAP copy and, in CI, fails a run that skipped or left a test as todo:
// in CI nothing skips. Usage: node test/run-tests.mjs [substring filter...]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspaces = ['plugin-sdk', 'core'];
for (const group of ['plugins', 'examples']) {
  const dir = join(root, group);
  if (existsSync(dir)) for (const d of readdirSync(dir)) workspaces.push(join(group, d));
}
const filters = process.argv.slice(2);
const files = [];
for (const ws of workspaces) {
  const dir = join(root, ws, 'dist', 'test');
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir, { recursive: true })) {
    const file = join(dir, String(f));
    if (!file.endsWith('.test.js')) continue;
    if (filters.length && !filters.some((s) => file.includes(s))) continue;
    files.push(file);
  }
}
if (!files.length) {
  console.error('run-tests: no compiled test files found (did the build run?)');
  process.exit(1);
}
files.sort();
const artifacts = join(root, 'test', 'artifacts');
mkdirSync(artifacts, { recursive: true });
const tap = join(artifacts, `results-${process.pid}.tap`);
const r = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
  { stdio: 'inherit', cwd: root, env: { ...process.env, FORCE_COLOR: '0' } },
);
let code = r.status ?? 1;
if (existsSync(tap)) {
  const text = readFileSync(tap, 'utf8');
  const num = (k) => Number((text.match(new RegExp(`^# ${k} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  const [pass, fail, skipped, todo, cancelled] = ['pass', 'fail', 'skipped', 'todo', 'cancelled'].map(num);
  if (process.env.CI && (skipped || todo)) {
    console.error(`run-tests: ${skipped} skipped and ${todo} todo test(s); in CI nothing skips`);
    code = code || 1;
  }
  console.log(`${pass} passed, ${fail + cancelled} failed${skipped ? `, ${skipped} skipped` : ''}`);
  rmSync(tap, { force: true });
}
process.exit(code);
