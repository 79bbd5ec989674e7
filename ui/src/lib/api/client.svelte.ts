// The one way the UI talks to the API: /api/v1 on the same origin, a bearer token when one is set.
// The token is kept for this tab's session (sessionStorage), never in localStorage, so it is gone
// when the tab closes. Who acts in records is the token's name (the API decides); the UI sends no
// name of its own.

const TOKEN_KEY = 'weft.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
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
    const message = (payload as { message?: string } | undefined)?.message ?? `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message, path);
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
    const payload = (await response.json().catch(() => undefined)) as { message?: string } | undefined;
    throw new ApiError(response.status, payload?.message ?? `${response.status} ${response.statusText}`, path);
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
