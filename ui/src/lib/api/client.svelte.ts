// The one way the UI talks to the API: /api/v1 on the same origin, a bearer token when one is set.
// The token is kept for this tab's session (sessionStorage), never in localStorage, so it is gone
// when the tab closes. Who acts in records is the token's name (the API decides); the UI sends no
// name of its own.

import { retryAfterSeconds, tooManyRequestsText } from './retry.ts';

const TOKEN_KEY = 'weft.token';

export class ApiError extends Error {
  /** When the API said it may be asked again (ms since the epoch; a 429's or 503's `Retry-After`), else undefined. */
  readonly retryAt: number | undefined;

  constructor(
    readonly status: number,
    message: string,
    readonly path: string,
    /** The API's error code (`WEFT_ERR_…`), '' when the answer had none. */
    readonly code = '',
    retryAfter?: number,
  ) {
    super(message);
    this.retryAt = retryAfter === undefined ? undefined : Date.now() + retryAfter * 1000;
  }
}

/** The error for a failed answer: the API's message and code, and for a 429 with `Retry-After` a message saying how long to wait. */
function failure(response: Response, payload: unknown, path: string): ApiError {
  const body = (payload ?? {}) as { message?: unknown; code?: unknown };
  const code = typeof body.code === 'string' ? body.code : '';
  const message = typeof body.message === 'string' ? body.message : `${response.status} ${response.statusText}`;
  const wait = response.status === 429 || response.status === 503 ? retryAfterSeconds(response.headers.get('retry-after')) : undefined;
  const shown = response.status === 429 && wait !== undefined ? tooManyRequestsText(code, message, wait) : message;
  return new ApiError(response.status, shown, path, code, wait);
}

function stored(key: string): string {
  try {
    // Tokens kept by older versions in localStorage are dropped, not carried over.
    localStorage.removeItem(key);
    localStorage.removeItem('weft.user');
  } catch {
    // storage disabled
  }
  try {
    return sessionStorage.getItem(key) ?? '';
  } catch {
    return '';
  }
}

function store(key: string, value: string): void {
  try {
    if (value) sessionStorage.setItem(key, value);
    else sessionStorage.removeItem(key);
  } catch {
    // storage disabled: kept for this page only
  }
}

/** Session state shared by every page: the token, and whether the API wants a token. */
export const session = $state({
  token: stored(TOKEN_KEY),
  /** Set when the API answered 401: the layout asks for a token. */
  needsToken: false,
  /** Bumped when the token changes, so pages load again. */
  epoch: 0,
});

export function setToken(token: string): void {
  session.token = token.trim();
  store(TOKEN_KEY, session.token);
  session.needsToken = false;
  session.epoch += 1;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'Cannot reach the Weft API. Is `weft start` running?', path);
  }
  const text = await response.text();
  let payload: unknown = undefined;
  try {
    payload = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: a proxy's error page, say
  }
  if (!response.ok) {
    if (response.status === 401) session.needsToken = true;
    throw failure(response, payload, path);
  }
  return payload as T;
}

/** A file from the API (e.g. a report bundle) as a Blob, sent with the session's token. */
async function download(path: string): Promise<Blob> {
  const headers: Record<string, string> = {};
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  const response = await fetch(`/api/v1${path}`, { headers });
  if (!response.ok) {
    if (response.status === 401) session.needsToken = true;
    throw failure(response, await response.json().catch(() => undefined), path);
  }
  return response.blob();
}

/** GETs started before the page that needs them has loaded its code (`prefetch`), by path. */
const early = new Map<string, Promise<unknown>>();

/**
 * Starts `GET /api/v1{path}` now; the first `api.get(path)` within 10 s takes its answer instead of
 * asking again. For a page's first data, asked for while the page's own code is still loading.
 */
export function prefetch(path: string): void {
  if (early.has(path)) return;
  const answer = request('GET', path);
  answer.catch(() => undefined);
  early.set(path, answer);
  setTimeout(() => early.delete(path), 10_000);
}

function get<T>(path: string): Promise<T> {
  const answer = early.get(path);
  if (!answer) return request<T>('GET', path);
  early.delete(path);
  return answer as Promise<T>;
}

export const api = {
  get,
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  // Writes are JSON-only (access/): a DELETE sends an empty JSON object.
  del: <T>(path: string) => request<T>('DELETE', path, {}),
  download,
};

/** "?a=1&b=x" from the set values, "" when none. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
