import { createHash } from 'node:crypto';
import { promises as fsp, type Stats } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { countLines, countLinesInBytes, isBinary } from './line-delta.js';

/** The file-system calls the inspector makes; tests replace them to inject failures. */
export interface InspectorFs {
  lstat(path: string): Promise<Stats>;
  stat(path: string): Promise<Stats>;
  realpath(path: string): Promise<string>;
  readlink(path: string): Promise<string>;
  /** Up to `length` bytes from `position`. */
  read(path: string, position: number, length: number): Promise<Buffer>;
}

export const nodeInspectorFs: InspectorFs = {
  lstat: (p) => fsp.lstat(p),
  stat: (p) => fsp.stat(p),
  realpath: (p) => fsp.realpath(p),
  readlink: (p) => fsp.readlink(p),
  async read(path, position, length) {
    const fh = await fsp.open(path, 'r');
    try {
      const buf = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await fh.read(buf, got, length - got, position + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buf.subarray(0, got);
    } finally {
      await fh.close();
    }
  },
};

export interface InspectOptions {
  /** Text files up to this size are decoded and kept for line diffs (bytes). */
  maxTextBytes: number;
  /** Files up to this size are hashed whole and their lines counted; larger ones get a partial hash. */
  maxHashBytes: number;
  fs?: InspectorFs;
}

/** Why a file's content could not be looked at. */
export type InspectProblem =
  | { kind: 'vanished' }
  | { kind: 'unreadable'; code: string; message: string }
  | { kind: 'not-a-file' }
  | { kind: 'symlink-loop'; target: string }
  | { kind: 'huge'; size: number }
  | { kind: 'binary' };

export interface FileFacts {
  type: 'file' | 'dir' | 'symlink' | 'other' | 'missing' | 'unknown';
  size: number | null;
  /** `size:sha1` of the content (of its first and last 64 KiB past `maxHashBytes`); null when unread. */
  key: string | null;
  binary: boolean;
  /** Line count for text files up to `maxHashBytes`. */
  lines: number | null;
  /** The decoded text, for text files up to `maxTextBytes`. */
  text?: string;
  /** What kept the inspector from the content, when something did. */
  problem?: InspectProblem;
}

const PARTIAL = 64 * 1024;

/**
 * What a changed path is now: its type, size, a content identity for rename pairing, whether it
 * is binary, its line count and (small text files) its text. Never throws and never opens
 * anything but a regular file (a FIFO would block); symlinks are not followed, and a link that
 * loops or points at one of its own parent directories is reported as a loop.
 */
export async function inspectFile(path: string, options: InspectOptions): Promise<FileFacts> {
  const fs = options.fs ?? nodeInspectorFs;
  const none = (type: FileFacts['type'], problem?: InspectProblem): FileFacts => ({ type, size: null, key: null, binary: false, lines: null, ...(problem ? { problem } : {}) });
  let st: Stats;
  try {
    st = await fs.lstat(path);
  } catch (e) {
    return failed(e, none);
  }
  if (st.isDirectory()) return none('dir');
  if (st.isSymbolicLink()) return inspectLink(path, fs, none);
  if (!st.isFile()) return none('other', { kind: 'not-a-file' });
  const size = st.size;
  try {
    if (size > options.maxHashBytes) {
      const head = await fs.read(path, 0, PARTIAL);
      const tail = await fs.read(path, Math.max(0, size - PARTIAL), PARTIAL);
      const binary = isBinary(head);
      const key = `${size}:${createHash('sha1').update(head).update(tail).digest('hex')}~`;
      return { type: 'file', size, key, binary, lines: null, problem: binary ? { kind: 'binary' } : { kind: 'huge', size } };
    }
    const buf = await fs.read(path, 0, size);
    const key = `${buf.length}:${createHash('sha1').update(buf).digest('hex')}`;
    if (isBinary(buf)) return { type: 'file', size: buf.length, key, binary: true, lines: null, problem: { kind: 'binary' } };
    if (buf.length > options.maxTextBytes) {
      return { type: 'file', size: buf.length, key, binary: false, lines: countLinesInBytes(buf), problem: { kind: 'huge', size: buf.length } };
    }
    const text = buf.toString('utf8');
    return { type: 'file', size: buf.length, key, binary: false, lines: countLines(text), text };
  } catch (e) {
    return { ...failed(e, none), size };
  }
}

async function inspectLink(path: string, fs: InspectorFs, none: (t: FileFacts['type'], p?: InspectProblem) => FileFacts): Promise<FileFacts> {
  let target = '';
  try {
    target = await fs.readlink(path);
    const real = await fs.realpath(path);
    const st = await fs.stat(path);
    // a link to one of its own parent directories makes the tree infinite for anyone following it
    const rel = relative(real, dirname(resolve(path)));
    if (st.isDirectory() && (rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes(':')))) {
      return none('symlink', { kind: 'symlink-loop', target });
    }
    return none('symlink');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return none('symlink', { kind: 'symlink-loop', target });
    if (code === 'ENOENT') return none('symlink'); // a dangling link is still a link
    return failed(e, none);
  }
}

function failed(e: unknown, none: (t: FileFacts['type'], p?: InspectProblem) => FileFacts): FileFacts {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return none('missing', { kind: 'vanished' });
  if (err.code === 'EISDIR') return none('dir');
  return none('unknown', { kind: 'unreadable', code: err.code ?? 'EUNKNOWN', message: err.message ?? String(e) });
}
