import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fstatSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codedError } from './errors.js';

export const TOKEN_FILE = 'http-token';
const TOKEN_RE = /^[A-Za-z0-9_-]{32,512}$/;

export interface LocalToken {
  token: string;
  file: string;
  /** What was done at start: created, or repaired (mode tightened, bad content replaced). */
  notes: string[];
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Write atomically with owner-only permissions (temp file in the same directory, then rename). */
function writeToken(file: string, token: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/**
 * The local token in `<configDir>/http-token`: created on first start (mode 0600), and at every
 * start checked and repaired — permissions wider than owner-only are narrowed, unreadable or
 * malformed content is replaced (old browser sessions then end). Two processes creating it at once
 * agree: creation is exclusive, and the loser reads the winner's token.
 */
export function ensureLocalToken(configDir: string): LocalToken {
  const file = join(configDir, TOKEN_FILE);
  const notes: string[] = [];
  try {
    mkdirSync(configDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw codedError('HTTP_ERR_TOKEN_FILE', `cannot create the config directory ${configDir}: ${(e as Error).message}; make it writable or set DEVFLOW_HOME`);
  }
  // Write a temp file, then link it into place: the link fails if the file exists, and when it
  // succeeds the file already holds the whole token (no reader ever sees it empty).
  const token = newToken();
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, `${token}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(tmp, 0o600);
    linkSync(tmp, file);
    notes.push(`created ${file} (mode 0600)`);
    return { token, file, notes };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') {
      // no hard links on this file system: an exclusive create is the next best thing
      try {
        writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
        notes.push(`created ${file} (mode 0600)`);
        return { token, file, notes };
      } catch (e2) {
        if ((e2 as NodeJS.ErrnoException).code !== 'EEXIST') throw codedError('HTTP_ERR_TOKEN_FILE', `cannot create ${file}: ${(e2 as Error).message}; check the permissions of ${configDir}`);
      }
    } else if (code !== 'EEXIST') {
      throw codedError('HTTP_ERR_TOKEN_FILE', `cannot create ${file}: ${(e as Error).message}; check the permissions of ${configDir}`);
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('it is not a regular file');
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
      throw new Error(`it belongs to uid ${st.uid}, not to this user (uid ${process.getuid()})`);
    }
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      chmodSync(file, 0o600);
      notes.push(`narrowed ${file} from mode ${(st.mode & 0o777).toString(8)} to 0600`);
    }
    let token = readFileSync(file, 'utf8').trim();
    if (!TOKEN_RE.test(token)) {
      token = newToken();
      writeToken(file, token);
      notes.push(`replaced the malformed token in ${file}`);
    }
    return { token, file, notes };
  } catch (e) {
    throw codedError('HTTP_ERR_TOKEN_FILE', `cannot use ${file}: ${(e as Error).message}; remove it (a new one is created at the next start)`);
  }
}

/** The mode bits of an open file (for the tests and doctor). */
export function modeOf(file: string): number {
  const fd = openSync(file, 'r');
  try {
    return fstatSync(fd).mode & 0o777;
  } finally {
    closeSync(fd);
  }
}
