import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RotateOptions {
  /** Rotate before a write would take the file past this many bytes; null: no size limit. */
  maxBytes: number | null;
  /** Rotated files kept (`<file>.1` newest … `<file>.<keep>` oldest). */
  keep: number;
  /** Also rotate at the first write of a new local day. */
  daily: boolean;
  now?: () => number;
}

/** How often the file is re-checked for rotation done by another process writing the same file. */
const RECHECK_MS = 1000;
/** A rotation lock older than this was left by a crashed process. */
const STALE_LOCK_MS = 10_000;

const dayOf = (ms: number) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
};

/**
 * A log file that rotates by size and by day, logrotate-style: the live file keeps its name
 * (`tail -f` works), `<file>.1` is the newest rotated one, at most `keep` are kept. Writes are
 * synchronous (nothing is lost when the process exits). Several DevFlow processes may log to the
 * same file: rotation happens under a lock file, and a process notices within a second that
 * another one rotated and reopens the live file. A failing disk never throws into the logger:
 * the problem is reported once on stderr.
 */
export class RotatingFile {
  private fd: number | undefined;
  private ino = 0;
  private size = 0;
  private day = '';
  private checkedAt = 0;
  private warned = false;
  private readonly now: () => number;

  constructor(
    readonly file: string,
    private readonly options: RotateOptions,
  ) {
    this.now = options.now ?? Date.now;
    mkdirSync(dirname(file), { recursive: true });
    this.open();
  }

  write(chunk: string): boolean {
    try {
      const data = Buffer.from(chunk);
      const now = this.now();
      if (now - this.checkedAt >= RECHECK_MS) this.recheck(now);
      if (this.due(now, data.length)) this.rotate(now, data.length);
      if (this.size === 0) this.day = dayOf(now);
      if (this.fd === undefined) this.open();
      writeSync(this.fd as number, data);
      this.size += data.length;
    } catch (e) {
      if (!this.warned) {
        this.warned = true;
        process.stderr.write(`devflow: cannot write the log file ${this.file}: ${(e as Error).message}\n`);
      }
    }
    return true;
  }

  /** Rotate now (whatever the size and day). */
  rotateNow(): void {
    this.rotate(this.now(), 0, true);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): void {
    this.close();
    this.fd = openSync(this.file, 'a', 0o600);
    const st = fstatSync(this.fd);
    this.ino = st.ino;
    this.size = st.size;
    this.day = dayOf(st.size ? st.mtimeMs : this.now());
    this.checkedAt = this.now();
  }

  private due(now: number, incoming: number): boolean {
    if (this.size === 0) return false;
    if (this.options.maxBytes !== null && this.size + incoming > this.options.maxBytes) return true;
    return this.options.daily && dayOf(now) !== this.day;
  }

  /** Another process may have rotated (the name points at a new file) or grown the file. */
  private recheck(now: number): void {
    this.checkedAt = now;
    try {
      const st = statSync(this.file);
      if (st.ino !== this.ino) this.open();
      else this.size = st.size;
    } catch {
      this.open(); // renamed away and not recreated yet
    }
  }

  private rotate(now: number, incoming: number, force = false): void {
    const lock = `${this.file}.lock`;
    let lockFd: number | undefined;
    try {
      lockFd = openSync(lock, 'wx');
    } catch {
      try {
        if (now - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { force: true });
      } catch {
        // gone meanwhile
      }
      this.recheck(now); // someone else is rotating; write to whatever is live
      return;
    }
    try {
      this.recheck(now);
      if (!force && !this.due(now, incoming)) return; // another process rotated first
      const keep = this.options.keep;
      rmSync(`${this.file}.${keep}`, { force: true });
      for (let i = keep - 1; i >= 1; i--) if (existsSync(`${this.file}.${i}`)) renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
      renameSync(this.file, `${this.file}.1`);
      this.open();
      this.day = dayOf(now);
    } finally {
      closeSync(lockFd);
      rmSync(lock, { force: true });
    }
  }
}
