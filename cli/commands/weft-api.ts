import { ERR_CONFIG } from '../../core/errors/index.ts';

/**
 * A running Weft's API for a CLI command (`url` its base, `token` WEFT_TOKEN's value, `tokenHint` which role it
 * needs): JSON and bytes; every failure — not answering, a refused token, any other non-2xx answer — is an ERR_CONFIG
 * that says what to do. The one way the CLI calls a running Weft.
 */
export function weftApi(url: string, token: string | undefined, tokenHint: string) {
  // Checked before any request, so that a malformed --url is not reported as a Weft that does not answer.
  const at = (path: string) => {
    const target = URL.canParse(path, url) ? new URL(path, url) : undefined;
    if (!target || !['http:', 'https:'].includes(target.protocol))
      throw ERR_CONFIG(`--url must be Weft's address, like http://127.0.0.1:3000, got "${url.slice(0, 200)}".`);
    return target;
  };
  const call = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const target = at(path);
    let res: Response;
    try {
      res = await fetch(target, {
        method: init.method ?? 'GET',
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
        body: init.body ? JSON.stringify(init.body) : undefined,
        signal: AbortSignal.timeout(120_000),
      });
    } catch (err) {
      throw ERR_CONFIG(
        `Weft is not answering at ${url} (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}): is "weft start" running there? If it runs elsewhere, pass --url with the address it printed as "UI and API".`,
      );
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { message?: string };
      if (res.status === 401)
        throw ERR_CONFIG(
          token
            ? `Weft at ${url} refused the token in WEFT_TOKEN (revoked, mistyped, or made for another Weft): set WEFT_TOKEN to a valid one (${tokenHint}).`
            : `Weft at ${url} wants a token: set WEFT_TOKEN (${tokenHint}).`,
        );
      // Busy for now (every report export place taken): the message says when to try again; so does Retry-After.
      const retryAfter = res.headers.get('retry-after');
      if ((res.status === 429 || res.status === 503) && retryAfter && /^\d+$/.test(retryAfter))
        throw ERR_CONFIG(`Weft at ${url} is busy (${res.status}) and asks to try again in ${retryAfter} s: ${body.message ?? res.statusText}`);
      throw ERR_CONFIG(`Weft at ${url} answered ${res.status}: ${body.message ?? res.statusText}`);
    }
    return res;
  };
  return {
    json: async <T>(path: string, init?: { method?: string; body?: unknown }) => (await call(path, init)).json() as Promise<T>,
    bytes: async (path: string) => new Uint8Array(await (await call(path)).arrayBuffer()),
  };
}
