import { StringDecoder } from 'node:string_decoder';

// CSI and OSC sequences and two-character escapes: what terminals use for colour, cursor moves and links.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** Text without terminal escape sequences. */
export function stripAnsi(text: string): string {
  return text.includes('\x1b') ? text.replace(ANSI, '') : text;
}

/** Longest line handed to the parsers; the rest of a longer line is dropped (output itself is untouched). */
export const MAX_LINE = 16_384;

/**
 * Splits a byte stream into text lines for parsing, in bounded memory: chunks are decoded as
 * UTF-8 (a character split across chunks is kept whole), a line longer than `maxLine` is cut and
 * the rest of it skipped up to the next newline, carriage-return progress updates keep only their
 * last segment, and escape sequences are stripped.
 *
 * @example
 * ```ts
 * const split = new LineSplitter((line) => parser.line(line));
 * child.stdout.on('data', (chunk) => split.push(chunk));
 * child.stdout.on('end', () => split.end());
 * ```
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private skipping = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLine = MAX_LINE,
  ) {}

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    // One scan per chunk instead of two per line: most output has neither CRs nor escapes.
    const clean = !text.includes('\r') && !text.includes('\x1b');
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const piece = text.slice(start, nl);
      start = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      if (this.partial) {
        const line = this.partial + piece;
        this.partial = '';
        this.emit(line);
      } else if (clean && piece.length <= this.maxLine) {
        this.onLine(piece);
      } else {
        this.emit(piece);
      }
    }
    if (this.skipping || start === text.length) return;
    const rest = text.slice(start);
    if (this.partial.length + rest.length > this.maxLine) {
      this.emit(this.partial + rest);
      this.partial = '';
      this.skipping = true;
    } else {
      this.partial += rest;
    }
  }

  /** Flush what is left (a last line without a newline). */
  end(): void {
    const tail = this.decoder.end();
    if (tail) this.push(tail);
    if (this.partial && !this.skipping) this.emit(this.partial);
    this.partial = '';
    this.skipping = false;
  }

  private emit(raw: string): void {
    let line = raw.length > this.maxLine ? raw.slice(0, this.maxLine) : raw;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const cr = line.lastIndexOf('\r');
    if (cr !== -1) line = line.slice(cr + 1);
    this.onLine(stripAnsi(line));
  }
}

/**
 * A list of unique names, bounded in count and in the length of each name.
 *
 * @example
 * ```ts
 * const names = new BoundedNames(2);
 * names.add('a'); names.add('b'); names.add('c');
 * names.list; // ['a', 'b'], names.truncated === true
 * ```
 */
export class BoundedNames {
  private readonly seen = new Set<string>();
  truncated = false;

  constructor(
    private readonly max = 50,
    private readonly maxLength = 300,
  ) {}

  add(name: string): void {
    if (this.truncated) return;
    let n = name.trim();
    if (!n) return;
    if (n.length > this.maxLength) n = `${n.slice(0, this.maxLength - 1)}…`;
    if (this.seen.has(n)) return;
    if (this.seen.size >= this.max) {
      this.truncated = true;
      return;
    }
    this.seen.add(n);
  }

  get list(): string[] {
    return [...this.seen];
  }

  get size(): number {
    return this.seen.size;
  }
}
