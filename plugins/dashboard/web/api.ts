// Same-origin calls to the http-api: tools by POST /api/v1/tools/<name>, routes by GET. The session
// cookie travels with every request (credentials: same-origin); a 401 tells the app to ask the user
// to sign in again through the link DevFlow printed.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let unauthorized: () => void = () => {};
/** Called on every 401 (the app shows how to sign in). */
export function onUnauthorized(fn: () => void): void {
  unauthorized = fn;
}

async function fail(res: Response): Promise<never> {
  let code = `HTTP_${res.status}`;
  let message = res.statusText || `request failed with status ${res.status}`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    if (body?.error?.code) code = body.error.code;
    if (body?.error?.message) message = body.error.message;
  } catch {
    /* not JSON */
  }
  if (res.status === 401) unauthorized();
  throw new ApiError(res.status, code, message);
}

async function send(path: string, init: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin', ...init });
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK', 'DevFlow is not answering; is it still running? (devflow start)');
  }
  return res.ok ? res : fail(res);
}

/** Call a tool as the signed-in user; resolves with its structured value. */
export async function callTool<T = unknown>(name: string, args: object = {}, signal?: AbortSignal): Promise<T> {
  const res = await send(`/api/v1/tools/${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(args),
    ...(signal ? { signal } : {}),
  });
  const body = (await res.json()) as { value?: unknown };
  return body.value as T;
}

/** GET a same-origin path; resolves with the body as text and its content type. */
export async function getText(path: string, signal?: AbortSignal): Promise<{ text: string; type: string }> {
  const res = await send(path, { method: 'GET', ...(signal ? { signal } : {}) });
  return { text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

export const isAbort = (e: unknown): boolean => (e as Error)?.name === 'AbortError';
