/**
 * The terminal side: plain ANSI escape sequences (no terminfo), so it works in any xterm-like
 * terminal and over SSH. The alternate screen and a hidden cursor while drawing; each frame is one
 * string written at once (synchronized update where the terminal supports it) that overwrites the
 * previous one line by line, so nothing flickers; `leave()` always restores the terminal.
 */
import type { Line, Style, View } from './model.js';

export const ESC = {
  altScreenOn: '\x1b[?1049h',
  altScreenOff: '\x1b[?1049l',
  hideCursor: '\x1b[?25l',
  showCursor: '\x1b[?25h',
  syncStart: '\x1b[?2026h',
  syncEnd: '\x1b[?2026l',
  reset: '\x1b[0m',
  clearScreen: '\x1b[2J',
  clearLine: '\x1b[K',
  clearBelow: '\x1b[J',
  at: (row: number, col = 1) => `\x1b[${row};${col}H`,
} as const;

const STYLES: Readonly<Record<Style, string>> = {
  title: '\x1b[1m',
  tab: '\x1b[7m',
  section: '\x1b[1;36m',
  dim: '\x1b[2m',
  ok: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
};

/** A frame as one string of escape sequences: each line drawn at its row and cleared to its end. */
export function frameAnsi(lines: readonly Line[], color: boolean): string {
  let out = ESC.syncStart;
  lines.forEach((l, i) => {
    const style = color && l.style ? STYLES[l.style] : '';
    out += `${ESC.at(i + 1)}${style}${l.text}${style ? ESC.reset : ''}${ESC.clearLine}`;
  });
  return `${out}${ESC.at(lines.length + 1)}${ESC.clearBelow}${ESC.syncEnd}`;
}

export type Action = { kind: 'quit' } | { kind: 'refresh' } | { kind: 'suspend' } | { kind: 'view'; view: View } | { kind: 'next'; step: 1 | -1 };

const KEYS: Readonly<Record<string, Action>> = {
  q: { kind: 'quit' },
  Q: { kind: 'quit' },
  '\x03': { kind: 'quit' }, // Ctrl-C (raw mode delivers it as a byte)
  '\x04': { kind: 'quit' }, // Ctrl-D
  '\x1a': { kind: 'suspend' }, // Ctrl-Z
  r: { kind: 'refresh' },
  R: { kind: 'refresh' },
  '\x0c': { kind: 'refresh' }, // Ctrl-L
  '1': { kind: 'view', view: 'activity' },
  a: { kind: 'view', view: 'activity' },
  '2': { kind: 'view', view: 'performance' },
  p: { kind: 'view', view: 'performance' },
  '3': { kind: 'view', view: 'errors' },
  e: { kind: 'view', view: 'errors' },
  '\t': { kind: 'next', step: 1 },
};

/** Keys read in raw mode to actions; escape sequences are skipped whole (arrows switch views). */
export function decodeKeys(chunk: string): Action[] {
  const actions: Action[] = [];
  for (let i = 0; i < chunk.length; i++) {
    const ch = chunk[i] as string;
    if (ch === '\x1b') {
      const seq = /^\x1b(\[[0-9;?]*[ -/]*[@-~]|O.|.)?/.exec(chunk.slice(i))?.[0] ?? '\x1b';
      if (seq === '\x1b[C' || seq === '\x1bOC') actions.push({ kind: 'next', step: 1 });
      else if (seq === '\x1b[D' || seq === '\x1bOD' || seq === '\x1b[Z') actions.push({ kind: 'next', step: -1 });
      i += seq.length - 1;
      continue;
    }
    const a = KEYS[ch];
    if (a) actions.push(a);
  }
  return actions;
}

export interface TtyOut {
  write(s: string): unknown;
  columns?: number | undefined;
  rows?: number | undefined;
}

export interface TtyIn {
  isTTY?: boolean | undefined;
  setRawMode?(on: boolean): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** The terminal while the dashboard owns it. `leave()` is idempotent and safe from any exit path. */
export class Screen {
  private active = false;

  constructor(
    private readonly out: TtyOut,
    private readonly input: TtyIn | undefined,
    readonly color: boolean,
  ) {}

  get entered(): boolean {
    return this.active;
  }

  /** Columns and rows; terminals that report 0 (some pseudo-terminals) count as 80x24. */
  size(): { width: number; height: number } {
    return { width: this.out.columns || 80, height: this.out.rows || 24 };
  }

  enter(): void {
    if (this.active) return;
    this.active = true;
    this.out.write(`${ESC.altScreenOn}${ESC.hideCursor}${ESC.at(1)}${ESC.clearScreen}`);
    if (this.input?.isTTY && this.input.setRawMode) this.input.setRawMode(true);
    this.input?.resume();
  }

  draw(lines: readonly Line[]): void {
    if (this.active) this.out.write(frameAnsi(lines, this.color));
  }

  /** Back to the normal screen with the cursor shown and the keyboard in its usual mode. */
  leave(): void {
    if (!this.active) return;
    this.active = false;
    try {
      if (this.input?.isTTY && this.input.setRawMode) this.input.setRawMode(false);
      this.input?.pause();
    } finally {
      this.out.write(`${ESC.reset}${ESC.altScreenOff}${ESC.showCursor}`);
    }
  }
}
