import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { relative } from 'node:path';
import { PluginError } from '../errors.js';
import { formatPath } from '../validator.js';

export interface Position {
  line: number;
  column: number;
}

/**
 * The text of a config file with a way back from a JSON path to a line and column, so every
 * error can point at the spot. Comments and trailing commas are accepted (like tsconfig.json).
 */
export class ConfigSource {
  private readonly lineStarts: number[] = [0];
  private readonly tree: Node | undefined;
  readonly syntaxErrors: PluginError[] = [];
  readonly value: unknown;

  constructor(
    readonly file: string | null,
    readonly text: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    const errors: ParseError[] = [];
    this.tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
    for (const e of errors) {
      const pos = this.position(e.offset);
      this.syntaxErrors.push(
        new PluginError('KRN_ERR_CONFIG_SYNTAX', {
          phase: 'config',
          detail: `${this.label}:${pos.line}:${pos.column} ${printParseErrorCode(e.error)}; fix the JSON at that spot`,
          data: { file: this.file, ...pos },
        }),
      );
    }
    this.value = this.syntaxErrors.length ? undefined : (this.tree ? nodeValue(this.tree) : undefined);
    if (!this.syntaxErrors.length && (typeof this.value !== 'object' || this.value === null || Array.isArray(this.value))) {
      this.syntaxErrors.push(
        new PluginError('KRN_ERR_CONFIG_SYNTAX', { phase: 'config', detail: `${this.label}:1:1 the config must be a JSON object ({ "projects": [...], "plugins": {...} })`, data: { file: this.file } }),
      );
      this.value = undefined;
    }
  }

  /** The file name as shown in messages (relative to cwd when shorter). */
  get label(): string {
    if (!this.file) return '(config object)';
    const rel = relative(process.cwd(), this.file);
    return rel && !rel.startsWith('..') && rel.length < this.file.length ? rel : this.file;
  }

  position(offset: number): Position {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.lineStarts[lo] as number) + 1 };
  }

  /** Line and column of the deepest existing node on a JSON path. */
  locate(path: readonly string[]): Position | undefined {
    if (!this.tree || !this.file) return undefined;
    for (let n = path.length; n >= 0; n--) {
      const segs = path.slice(0, n).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      const node = findNodeAtLocation(this.tree, segs);
      if (node) {
        // Point at the key for a property, not its value.
        const at = node.parent?.type === 'property' ? node.parent.offset : node.offset;
        return this.position(at);
      }
    }
    return undefined;
  }

  /** A KRN_ERR_CONFIG_INVALID error for a value at `path`. */
  invalid(path: readonly string[], message: string, plugin?: string): PluginError {
    const pos = this.locate(path);
    const where = pos ? `${this.label}:${pos.line}:${pos.column}` : this.label;
    return new PluginError('KRN_ERR_CONFIG_INVALID', {
      plugin,
      phase: 'config',
      detail: `${where} ${formatPath(path)} ${message}`,
      data: { file: this.file, path: formatPath(path), ...(pos ?? {}) },
    });
  }
}

function nodeValue(node: Node): unknown {
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const prop of node.children ?? []) {
        const [k, v] = prop.children ?? [];
        if (k && v) out[k.value as string] = nodeValue(v);
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}
