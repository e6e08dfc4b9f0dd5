// Keeps docs/errors.md and docs/hooks.md honest: every error code and every kernel hook has its
// section, no section documents something that does not exist, and each hook's kind matches
// KERNEL_HOOKS. Tests run from core/dist/test/, so the docs are three levels up.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EXIT } from '../src/cli/exit-codes.js';
import { ERROR_CODES, KERNEL_HOOKS } from '../src/index.js';

const DOCS = new URL('../../../docs/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, DOCS), 'utf8');

interface Section {
  heading: string;
  body: string;
}

/** The `## ` sections of a markdown file, ignoring headings inside code fences. */
function sections(md: string): Section[] {
  const out: Section[] = [];
  let fenced = false;
  let current: Section | undefined;
  for (const line of md.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const h = fenced ? null : /^## (.+?)\s*$/.exec(line);
    if (h) {
      current = { heading: h[1] as string, body: '' };
      out.push(current);
    } else if (current) {
      current.body += `${line}\n`;
    }
  }
  return out;
}

const CODE_LIKE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/;
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('docs/errors.md has one section per error code, and none for codes that do not exist', () => {
  const all = sections(read('errors.md'));
  const codes = Object.keys(ERROR_CODES);
  const documented = all.map((s) => s.heading).filter((h) => CODE_LIKE.test(h));

  const missing = codes.filter((c) => !documented.includes(c));
  assert.deepEqual(missing, [], `codes without a "## CODE" section in docs/errors.md: ${missing.join(', ')}`);
  const unknown = documented.filter((h) => !codes.includes(h));
  assert.deepEqual(unknown, [], `docs/errors.md documents codes that are not in ERROR_CODES: ${unknown.join(', ')}`);
  const twice = documented.filter((h, i) => documented.indexOf(h) !== i);
  assert.deepEqual(twice, [], `codes documented twice: ${twice.join(', ')}`);
});

test('each error code section says when it happens, shows the printed line, and how to fix it', () => {
  const byCode = new Map(sections(read('errors.md')).map((s) => [s.heading, s.body]));
  const problems: string[] = [];
  for (const code of Object.keys(ERROR_CODES)) {
    const body = byCode.get(code);
    if (body === undefined) continue; // reported by the test above
    if (!/\*\*Phase:\*\*/.test(body)) problems.push(`${code}: no **Phase:**`);
    if (!/\*\*Fix\b/.test(body)) problems.push(`${code}: no **Fix:**`);
    // An example as printed, inside a fence: `[plugin] CODE: detail` or `CODE: detail`.
    const example = new RegExp(`^\`\`\`\\n(?:.*\\n)*?(?:\\[[^\\]]+\\] )?${escape(code)}: \\S`, 'm');
    if (!example.test(body)) problems.push(`${code}: no example line "[plugin] ${code}: detail" in a code block`);
  }
  assert.deepEqual(problems, []);
});

test('docs/errors.md lists every CLI exit code', () => {
  const md = read('errors.md');
  const missing = Object.entries(EXIT).filter(([, n]) => !new RegExp(`^\\| \`${n}\` \\|`, 'm').test(md));
  assert.deepEqual(missing, [], `exit codes missing from the table in docs/errors.md: ${missing.map(([k, n]) => `${k}=${n}`).join(', ')}`);
});

test('docs/hooks.md has a section per kernel hook stating its kind exactly as in KERNEL_HOOKS', () => {
  const md = read('hooks.md');
  const all = sections(md);
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(KERNEL_HOOKS)) {
    const found = all.filter((s) => s.heading === name);
    if (found.length !== 1) {
      problems.push(`${name}: ${found.length} "## ${name}" sections (want 1)`);
      continue;
    }
    const body = (found[0] as Section).body;
    const kind = /^- \*\*Kind:\*\* `([A-Za-z]+)`/m.exec(body)?.[1];
    if (kind !== spec.kind) problems.push(`${name}: kind is documented as ${kind ?? '(nothing)'}, KERNEL_HOOKS says ${spec.kind}`);
    const args = /^- \*\*Arguments:\*\*(.*)$/m.exec(body)?.[1];
    if (args === undefined) problems.push(`${name}: no **Arguments:** line`);
    else if (spec.args.length === 0 && !/\bnone\b/.test(args)) problems.push(`${name}: takes no arguments; say "none"`);
    else for (const a of spec.args) if (!args.includes(`\`${a}\``)) problems.push(`${name}: argument \`${a}\` is not named on the **Arguments:** line`);
    for (const field of ['Returns', 'Called', 'Errors']) if (!body.includes(`**${field}:**`)) problems.push(`${name}: no **${field}:**`);
    const row = new RegExp(`^\\| \\[\`${escape(name)}\`\\]\\(#${name.toLowerCase()}\\) \\| \`([A-Za-z]+)\` \\|`, 'm').exec(md);
    if (row?.[1] !== spec.kind) problems.push(`${name}: the summary table says ${row?.[1] ?? '(no row)'}, KERNEL_HOOKS says ${spec.kind}`);
  }
  // A section that states a kind documents a kernel hook; it must be one.
  for (const s of all) {
    if (/^- \*\*Kind:\*\*/m.test(s.body) && !(s.heading in KERNEL_HOOKS)) problems.push(`"## ${s.heading}" documents a hook that is not in KERNEL_HOOKS`);
  }
  assert.deepEqual(problems, []);
});

test('every plugin error code used in plugins/*/src is in the plugin table of docs/errors.md', async () => {
  const { readdirSync } = await import('node:fs');
  const plugins = new URL('../../../plugins/', import.meta.url);
  const used = new Map<string, string>();
  for (const id of readdirSync(plugins)) {
    const src = new URL(`${id}/src/`, plugins);
    let files: string[];
    try {
      files = readdirSync(src, { recursive: true }).map(String).filter((f) => f.endsWith('.ts'));
    } catch {
      continue;
    }
    for (const f of files) for (const m of readFileSync(new URL(f, src), 'utf8').matchAll(/\b([A-Z]+_ERR_[A-Z_]+)\b/g)) if (!m[1]!.startsWith('KRN_')) used.set(m[1]!, id);
  }
  const table = read('errors.md').split('## Plugin error codes')[1] ?? '';
  const missing = [...used].filter(([code, id]) => !new RegExp(`^\\| \`${code}\` \\| ${id} \\|`, 'm').test(table)).map(([c, id]) => `${c} (${id})`);
  assert.deepEqual(missing, [], 'plugin error codes missing from the table in docs/errors.md');
  assert.ok(used.size > 0, 'the scan found the plugins\' codes');
});
