// The contract documents every export with an example (STYLE.md). This parses plugin-sdk/src/*.ts
// (tests run from plugin-sdk/dist/test/, so the sources are at ../../src) and checks that every
// exported declaration is preceded by a TSDoc block (`/** … */`) with a non-empty `@example`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import ts from 'typescript';

const SRC = new URL('../../src/', import.meta.url);

interface Exported {
  file: string;
  line: number;
  name: string;
  kind: string;
  /** The TSDoc block right before the declaration (line comments may sit in between). */
  doc: string | undefined;
}

function hasExportModifier(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function namesOf(node: ts.Statement): string[] {
  if (ts.isVariableStatement(node)) return node.declarationList.declarations.map((d) => d.name.getText());
  if (ts.isExportAssignment(node)) return ['default'];
  const name = (node as { name?: ts.Node }).name;
  return [name ? name.getText() : 'default'];
}

function kindOf(node: ts.Statement): string {
  if (ts.isVariableStatement(node)) return node.declarationList.flags & ts.NodeFlags.Const ? 'const' : 'let';
  if (ts.isInterfaceDeclaration(node)) return 'interface';
  if (ts.isTypeAliasDeclaration(node)) return 'type';
  if (ts.isFunctionDeclaration(node)) return 'function';
  if (ts.isClassDeclaration(node)) return 'class';
  if (ts.isEnumDeclaration(node)) return 'enum';
  return ts.SyntaxKind[node.kind];
}

function docBefore(text: string, node: ts.Node): string | undefined {
  const comments = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
  for (let i = comments.length - 1; i >= 0; i--) {
    const c = comments[i] as ts.CommentRange;
    if (c.kind === ts.SyntaxKind.SingleLineCommentTrivia) continue; // e.g. an eslint-disable line
    const body = text.slice(c.pos, c.end);
    return body.startsWith('/**') ? body : undefined;
  }
  return undefined;
}

function sourceFiles(): { file: string; text: string; sf: ts.SourceFile }[] {
  return readdirSync(SRC)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort()
    .map((file) => {
      const text = readFileSync(new URL(file, SRC), 'utf8');
      return { file, text, sf: ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS) };
    });
}

function exportedDeclarations(): Exported[] {
  const out: Exported[] = [];
  for (const { file, text, sf } of sourceFiles()) {
    let previousFunction: string | undefined;
    for (const st of sf.statements) {
      if (!hasExportModifier(st) && !ts.isExportAssignment(st)) continue;
      const names = namesOf(st);
      // Overloads: only the first signature carries the doc block.
      if (ts.isFunctionDeclaration(st) && names[0] === previousFunction) continue;
      previousFunction = ts.isFunctionDeclaration(st) ? names[0] : undefined;
      const line = sf.getLineAndCharacterOfPosition(st.getStart(sf)).line + 1;
      out.push({ file, line, name: names.join(', '), kind: kindOf(st), doc: docBefore(text, st) });
    }
  }
  return out;
}

/** True when the block has an `@example` tag followed by some content before the next tag. */
function hasExample(doc: string): boolean {
  const m = /@example\b([\s\S]*?)(?=\n\s*\*\s*@\w|\*\/)/.exec(doc);
  return !!m && (m[1] ?? '').replace(/^\s*\*/gm, '').trim().length > 0;
}

test('every export of plugin-sdk/src is preceded by a TSDoc block with an @example', () => {
  const problems = exportedDeclarations()
    .filter((e) => !e.doc || !hasExample(e.doc))
    .map((e) => `${e.file}:${e.line} ${e.name} (${e.kind}): ${e.doc ? 'TSDoc block has no @example' : 'no TSDoc block'}`);
  assert.deepEqual(problems, []);
});

test('the check sees the whole public surface of the SDK', () => {
  const declared = new Set(exportedDeclarations().flatMap((e) => e.name.split(', ')));
  for (const name of ['definePlugin', 'isPluginDefinition', 'PLUGIN_BRAND', 'PluginContext', 'PluginDefinition', 'KernelHookMap']) {
    assert.ok(declared.has(name), `${name} was not found among the exports`);
  }
  // Everything index.ts re-exports must be declared (and therefore checked) in some source file.
  const index = sourceFiles().find((s) => s.file === 'index.ts');
  assert.ok(index, 'plugin-sdk/src/index.ts not found');
  const reexported: string[] = [];
  for (const st of index.sf.statements) {
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) reexported.push((el.propertyName ?? el.name).getText());
    }
  }
  assert.ok(reexported.length > 30, `only ${reexported.length} re-exports found in index.ts`);
  const unchecked = reexported.filter((n) => !declared.has(n));
  assert.deepEqual(unchecked, [], `re-exported from index.ts but not declared in plugin-sdk/src: ${unchecked.join(', ')}`);
});
