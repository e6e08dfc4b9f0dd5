import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Principal } from '@devflow/plugin-sdk';
import type { HttpApiConfig } from './config.js';
import { parseCookies } from './http-io.js';

export const SESSION_COOKIE = 'devflow_session';

export interface TokenProblem {
  index: number;
  message: string;
}

interface Known {
  hash: Buffer;
  principal: Principal;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

function localUser(): string {
  try {
    return process.env.USER || userInfo().username || 'user';
  } catch {
    return 'user';
  }
}

/** Read one configured token; a problem is reported and that token is left out. */
function resolveToken(t: HttpApiConfig['tokens'][number], env: NodeJS.ProcessEnv): Buffer | string {
  const given = [t.tokenEnv, t.tokenFile, t.tokenSha256].filter((x) => x !== undefined).length;
  if (given !== 1) return `give exactly one of tokenEnv, tokenFile, tokenSha256 (got ${given})`;
  if (t.tokenSha256) return Buffer.from(t.tokenSha256, 'hex');
  let token: string | undefined;
  if (t.tokenEnv) {
    token = env[t.tokenEnv]?.trim();
    if (!token) return `environment variable ${t.tokenEnv} is not set`;
  } else if (t.tokenFile) {
    try {
      const st = statSync(t.tokenFile);
      if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) return `${t.tokenFile} is readable by others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`;
      token = readFileSync(t.tokenFile, 'utf8').trim();
    } catch (e) {
      return `cannot read ${t.tokenFile}: ${(e as Error).message}`;
    }
  }
  if (!token || token.length < 16) return 'the token is shorter than 16 characters';
  return sha256(token);
}

/**
 * Who a request is: a bearer token (the local token from the config dir, or one from the config)
 * or a browser session cookie signed with a key derived from the local token (so sessions survive
 * restarts and end when the token file is replaced).
 */
export class TokenStore {
  readonly local: Principal;
  readonly problems: TokenProblem[] = [];
  private readonly known: Known[] = [];
  private readonly byId = new Map<string, Principal>();
  private readonly sessionKey: Buffer;

  constructor(
    readonly localToken: string,
    config: Pick<HttpApiConfig, 'tokens' | 'localRole' | 'sessionTtlHours'>,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.local = Object.freeze({ id: `local:${localUser()}`, kind: 'user', role: config.localRole });
    this.add(sha256(localToken), this.local);
    config.tokens.forEach((t, index) => {
      const r = resolveToken(t, env);
      if (typeof r === 'string') this.problems.push({ index, message: `tokens[${index}] (principal "${t.principal}"): ${r}` });
      else this.add(r, Object.freeze({ id: `token:${t.principal}`, kind: 'token', role: t.role }));
    });
    this.sessionKey = createHmac('sha256', localToken).update('devflow-http-session-v1').digest();
    this.ttlMs = config.sessionTtlHours * 3_600_000;
  }

  readonly ttlMs: number;

  private add(hash: Buffer, principal: Principal): void {
    this.known.push({ hash, principal });
    this.byId.set(principal.id, principal);
  }

  /** Usable tokens besides the local one. */
  get configured(): number {
    return this.known.length - 1;
  }

  /** The principal of a bearer token, or undefined. Constant time over every known token. */
  fromToken(token: string): Principal | undefined {
    const given = sha256(token);
    let hit: Principal | undefined;
    for (const k of this.known) if (timingSafeEqual(k.hash, given) && !hit) hit = k.principal;
    return hit;
  }

  /** `Authorization: Bearer x` → 'missing' (no header), 'invalid', or the principal. */
  fromHeader(header: string | undefined): Principal | 'missing' | 'invalid' {
    if (header === undefined || header === '') return 'missing';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return (m && this.fromToken(m[1] as string)) || 'invalid';
  }

  /** A session cookie value for a principal: `<id>.<expires>.<signature>`, all base64url. */
  issueSession(principal: Principal, now = Date.now()): string {
    const payload = `${Buffer.from(principal.id).toString('base64url')}.${(now + this.ttlMs).toString(36)}`;
    return `${payload}.${createHmac('sha256', this.sessionKey).update(payload).digest('base64url')}`;
  }

  /** The principal of a valid, unexpired session cookie in a Cookie header. */
  fromCookie(header: string | undefined, now = Date.now()): Principal | undefined {
    const value = parseCookies(header).get(SESSION_COOKIE);
    if (!value || value.length > 600) return undefined;
    const parts = value.split('.');
    if (parts.length !== 3) return undefined;
    const [id64, exp36, sig] = parts as [string, string, string];
    const want = createHmac('sha256', this.sessionKey).update(`${id64}.${exp36}`).digest();
    const got = Buffer.from(sig, 'base64url');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
    if (parseInt(exp36, 36) <= now) return undefined;
    return this.byId.get(Buffer.from(id64, 'base64url').toString('utf8'));
  }

  /** Set-Cookie value for a fresh session (HttpOnly, SameSite=Strict, whole site). */
  sessionCookie(principal: Principal): string {
    return `${SESSION_COOKIE}=${this.issueSession(principal)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(this.ttlMs / 1000)}`;
  }
}

/** Set-Cookie value that ends the session. */
export const CLEAR_SESSION_COOKIE = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
