// The one way the UI talks to the API: /api/v1 on the same origin, a bearer token when one is set.

const TOKEN_KEY = 'weft.token';
const USER_KEY = 'weft.user';

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
    return localStorage.getItem(key) ?? '';
  } catch {
    return '';
  }
}

function store(key: string, value: string): void {
  try {
    if (value) localStorage.setItem(key, value);
    else localStorage.removeItem(key);
  } catch {
    // private mode: kept for this page only
  }
}

/** Session state shared by every page: the token, the name sent as x-weft-user, and whether the API wants a token. */
export const session = $state({
  token: stored(TOKEN_KEY),
  user: stored(USER_KEY),
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

export function setUser(user: string): void {
  session.user = user.trim();
  store(USER_KEY, session.user);
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  if (session.user) headers['x-weft-user'] = session.user;
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

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  del: <T>(path: string) => request<T>('DELETE', path),
};

/** "?a=1&b=x" from the set values, "" when none. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
