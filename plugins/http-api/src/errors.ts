/**
 * Error codes of the http-api plugin. Responses carry them as `{ error: { code, message } }`;
 * start-up and registration problems throw them; log lines carry them as `code`.
 */
export type HttpErrorCode =
  | 'HTTP_ERR_HOST'
  | 'HTTP_ERR_ORIGIN'
  | 'HTTP_ERR_UNAUTHORIZED'
  | 'HTTP_ERR_FORBIDDEN'
  | 'HTTP_ERR_NOT_FOUND'
  | 'HTTP_ERR_METHOD'
  | 'HTTP_ERR_BODY_TOO_LARGE'
  | 'HTTP_ERR_BODY_INVALID'
  | 'HTTP_ERR_CONTENT_TYPE'
  | 'HTTP_ERR_INPUT'
  | 'HTTP_ERR_PATH_INVALID'
  | 'HTTP_ERR_HANDLER'
  | 'HTTP_ERR_TIMEOUT'
  | 'HTTP_ERR_UPGRADE_REQUIRED'
  | 'HTTP_ERR_STREAM_FULL'
  | 'HTTP_ERR_STREAM_SLOW'
  | 'HTTP_ERR_ROUTE_INVALID'
  | 'HTTP_ERR_ROUTE_DUPLICATE'
  | 'HTTP_ERR_STATIC_INVALID'
  | 'HTTP_ERR_INSECURE_BIND'
  | 'HTTP_ERR_PORT_IN_USE'
  | 'HTTP_ERR_LISTEN'
  | 'HTTP_ERR_TOKEN_FILE'
  | 'HTTP_ERR_TOKEN_CONFIG';

/** An error that becomes an HTTP answer (status, code, message, extra headers) or a thrown, coded failure. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: HttpErrorCode | (string & {}),
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A coded error for start-up and registration problems: the message begins with the code. */
export function codedError(code: HttpErrorCode, message: string): Error & { code: string } {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

/** What a handler's thrown error becomes: its own `status`/`code` when it has them, else 500. */
export function fromThrown(e: unknown, what: string): HttpError {
  if (e instanceof HttpError) return e;
  const o = (typeof e === 'object' && e !== null ? e : {}) as { status?: unknown; statusCode?: unknown; code?: unknown; message?: unknown };
  const status = typeof o.status === 'number' ? o.status : typeof o.statusCode === 'number' ? o.statusCode : 500;
  const message = typeof o.message === 'string' ? o.message : String(e);
  if (status >= 400 && status < 600 && status !== 500) {
    return new HttpError(status, typeof o.code === 'string' ? o.code : 'HTTP_ERR_HANDLER', message);
  }
  return new HttpError(500, typeof o.code === 'string' && /^[A-Z]+_ERR_[A-Z_]+$/.test(o.code) ? o.code : 'HTTP_ERR_HANDLER', `${what} failed: ${message}`);
}
