import { open } from 'node:fs/promises';

/** Where reading a file stopped: its inode, the byte after the last consumed line. */
export interface TailPosition {
  ino: string;
  offset: number;
  /** The last read ended inside a line longer than the limit: skip up to the next newline. */
  skipping?: boolean;
}

export interface TailOptions {
  /** Stop after about this many bytes of complete lines (the rest is read by the next call). */
  maxBytes: number;
  /** Lines longer than this (bytes while incomplete, characters once decoded) are skipped and counted. */
  maxLineBytes: number;
  /** Read block size (default 1 MiB). */
  blockBytes?: number;
  /**
   * Decides whether unterminated text at the end of the file is a whole record written without
   * its newline (consumed) or a partial write (left for the next call). Default: never consumed.
   */
  isComplete?: (text: string) => boolean;
  /** Receive each complete line as it is read instead of collecting them in `lines`. */
  onLine?: (line: string) => void;
  /** Called before the first line when the file is read again from the start. */
  onReset?: () => void;
  /** The file's inode, size and mtime from a `stat` just made (saves an fstat; read up to that size). */
  stat?: { ino: string; size: number; mtimeMs: number };
}

export interface TailResult {
  ino: string;
  size: number;
  mtimeMs: number;
  /** The file was replaced (another inode) or truncated (smaller than the offset): read from 0. */
  reset: boolean;
  /** Complete, non-empty lines in file order, without their line break (empty with `onLine`). */
  lines: string[];
  /** Where the next read starts: after the last consumed line, before any partial one. */
  offset: number;
  skipping: boolean;
  skipped: number;
  /** Stopped at `maxBytes` with more to read. */
  more: boolean;
}

// One read buffer reused by sequential readers (a concurrent one allocates its own).
const POOL_BYTES = 1 << 20;
let pool: Buffer | undefined = Buffer.allocUnsafe(POOL_BYTES);

function decode(buf: Buffer): string {
  const end = buf.length && buf[buf.length - 1] === 13 ? buf.length - 1 : buf.length;
  return buf.toString('utf8', 0, end);
}

/**
 * Read the complete lines appended to `path` since `prev`. A partial last line is not consumed:
 * the offset stays before it until its newline arrives. A file whose inode changed, that shrank
 * below the offset, or whose byte before the offset is no line end (rewritten in place) is read
 * again from the start (`reset`), and the caller deduplicates.
 */
export async function readNewLines(path: string, prev: TailPosition | undefined, opts: TailOptions): Promise<TailResult> {
  const fh = await open(path, 'r');
  try {
    let st: { ino: string; size: number; mtimeMs: number };
    if (opts.stat) st = opts.stat;
    else {
      const x = await fh.stat({ bigint: true });
      st = { ino: String(x.ino), size: Number(x.size), mtimeMs: Number(x.mtimeMs) };
    }
    const { ino, size } = st;
    let offset = prev?.offset ?? 0;
    let skipping = prev?.skipping ?? false;
    let reset = !!prev && (prev.ino !== ino || size < prev.offset);
    if (!reset && prev && offset > 0 && !skipping) {
      // A consumed line ends in a newline (or `}` for a record written without one): anything else
      // before the offset means the file was rewritten in place.
      const one = Buffer.alloc(1);
      await fh.read(one, 0, 1, offset - 1);
      if (one[0] !== 10 && one[0] !== 0x7d) reset = true;
    }
    if (reset) (offset = 0), (skipping = false), opts.onReset?.();

    const block = opts.blockBytes ?? 1 << 20;
    const max = opts.maxLineBytes;
    const lines: string[] = [];
    const emit = opts.onLine ?? ((line: string) => void lines.push(line));
    let carry: Buffer[] = [];
    let carryLen = 0;
    let committed = offset;
    let skipped = 0;
    let more = false;
    let pos = offset;
    const pooled = block === POOL_BYTES && pool !== undefined;
    const buf = pooled ? pool! : Buffer.allocUnsafe(Math.min(block, Math.max(1, size - offset)));
    if (pooled) pool = undefined;
    try {
      while (pos < size) {
        // Read up to the byte budget; past it only to finish a line that straddles it.
        const room = opts.maxBytes - (pos - offset);
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos, room > 0 ? room : buf.length), pos);
        if (bytesRead === 0) break;
        let i = 0;
        if (skipping) {
          const nl = buf.indexOf(10);
          if (nl === -1 || nl >= bytesRead) {
            pos += bytesRead;
            continue;
          }
          skipping = false;
          i = nl + 1;
          committed = pos + i;
        }
        const last = buf.lastIndexOf(10, bytesRead - 1);
        if (last < i) {
          // No line ends in the rest of this block: carry it over (or give up on an over-long line).
          carry.push(Buffer.from(buf.subarray(i, bytesRead)));
          carryLen += bytesRead - i;
          if (carryLen > max) (skipping = true), (carry = []), (carryLen = 0), skipped++;
          pos += bytesRead;
          continue;
        }
        // Decode every complete line of the block at once (one utf8 decode, one split).
        const head = carryLen ? Buffer.concat([...carry, buf.subarray(i, last)]) : buf.subarray(i, last);
        for (let line of head.toString('utf8').split('\n')) {
          if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
          if (line.length > max) skipped++;
          else if (line.length && (line.charCodeAt(0) > 32 || line.trim())) emit(line);
        }
        carry = last + 1 < bytesRead ? [Buffer.from(buf.subarray(last + 1, bytesRead))] : [];
        carryLen = bytesRead - last - 1;
        committed = pos + last + 1;
        pos += bytesRead;
        if (pos - offset >= opts.maxBytes && committed < size) {
          more = true;
          break;
        }
      }
    } finally {
      if (pooled) pool = buf;
    }
    if (!more) {
      if (skipping) committed = size;
      else if (carryLen) {
        const text = decode(Buffer.concat(carry));
        if (opts.isComplete?.(text)) (emit(text), (committed = size));
      }
    }
    return { ino, size, mtimeMs: st.mtimeMs, reset, lines, offset: committed, skipping, skipped, more };
  } finally {
    await fh.close();
  }
}

/** For JSONL: an unterminated last line is a whole record when it parses as a JSON object. */
export function isCompleteJsonObject(text: string): boolean {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}
