import { defineError, WeftError } from './weft-error.ts';

// Configuration and storage
export const ERR_CONFIG = defineError('WEFT_ERR_CONFIG', 400, (what: string) => what);
export const ERR_STORE_LOCKED = defineError(
  'WEFT_ERR_STORE_LOCKED',
  503,
  (path: string, apiUrl?: string) =>
    `The data directory ${path} is in use by another Weft process${apiUrl ? ` (its API answers at ${apiUrl})` : ''}. Stop that process, or start this one with a different --data directory (or point both at a ClickHouse server with --clickhouse URL).`,
);
export const ERR_STORE_UNREACHABLE = defineError(
  'WEFT_ERR_STORE_UNREACHABLE',
  503,
  (url: string, reason: string) => `ClickHouse at ${url} is not reachable: ${reason}`,
);
export const ERR_MIGRATION = defineError('WEFT_ERR_MIGRATION', 500, (file: string, reason: string) => `Migration ${file} failed: ${reason}`);

// HTTP edge (shared by the collector and the API)
export const ERR_BAD_REQUEST = defineError('WEFT_ERR_BAD_REQUEST', 400, (what: string) => what);
export const ERR_NOT_FOUND = defineError('WEFT_ERR_NOT_FOUND', 404, (what: string) => what);
export const ERR_UNAUTHORIZED = defineError('WEFT_ERR_UNAUTHORIZED', 401, () => 'Missing or invalid bearer token: send "Authorization: Bearer <token>".');
export const ERR_FORBIDDEN = defineError('WEFT_ERR_FORBIDDEN', 403, (role: string) => `This token's role may not do this; it needs the ${role} role.`);

// Access (access/): who may do what, from where
/**
 * A client made too many failed credential checks in a minute (access/auth-failures.ts): 429, and
 * `details.retryAfterSeconds` is sent as Retry-After by both listeners.
 */
export function ERR_AUTH_FAILURES(retryAfterSeconds: number): WeftError {
  return new WeftError(
    ERR_AUTH_FAILURES.code,
    `Too many requests with a wrong token from this address: its tokens are not checked for ${retryAfterSeconds} s (Retry-After). Check the token you send (weft token list shows which exist).`,
    ERR_AUTH_FAILURES.statusCode,
    { retryAfterSeconds },
  );
}
ERR_AUTH_FAILURES.code = 'WEFT_ERR_AUTH_FAILURES';
ERR_AUTH_FAILURES.statusCode = 429;
export const ERR_AMBIGUOUS_CREDENTIALS = defineError(
  'WEFT_ERR_AMBIGUOUS_CREDENTIALS',
  400,
  (count: number) =>
    `This request carries ${count} Authorization headers; Weft does not choose between credentials: send exactly one ("Authorization: Bearer <token>").`,
);
export const ERR_NO_ACCESS_LEVEL = defineError(
  'WEFT_ERR_NO_ACCESS_LEVEL',
  403,
  (route: string) => `The route ${route} declares no access level, so it is closed to everyone (deny by default); its author must set config.access.`,
);
export const ERR_FOREIGN_HOST = defineError(
  'WEFT_ERR_FOREIGN_HOST',
  403,
  (host: string, why: string) => `This Weft does not answer to the Host "${host}" (a guard against DNS rebinding): ${why}.`,
);
export const ERR_PROXIED = defineError(
  'WEFT_ERR_PROXIED',
  403,
  (header: string, listener: 'api' | 'collector' = 'api') =>
    `This request came through a proxy (it carries ${header}), and this ${listener === 'collector' ? "Weft's collector" : 'Weft'} runs without tokens, which serves only this machine. ` +
    (listener === 'collector'
      ? 'Create an ingest token ("weft token create --role ingest --name NAME", or WEFT_INGEST_TOKENS) and send it, or send directly to the collector on this machine.'
      : 'Create an admin token ("weft token create --role admin --name NAME") and send it, or call Weft directly on this machine.'),
);
export const ERR_CROSS_SITE = defineError(
  'WEFT_ERR_CROSS_SITE',
  403,
  (origin: string) =>
    `Requests from the web page at "${origin}" are refused (cross-site). Call the API from Weft's own UI, the CLI or a script; add a proxy's name to WEFT_PUBLIC_NAMES.`,
);
export const ERR_WRITE_MEDIA_TYPE = defineError(
  'WEFT_ERR_MEDIA_TYPE',
  415,
  (got: string) =>
    `Requests that change something must send "Content-Type: application/json" (with a JSON body, {} when there is nothing to say); got "${got}".`,
);
export const ERR_JSON_CHARSET = defineError(
  'WEFT_ERR_MEDIA_TYPE',
  415,
  (charset: string) => `JSON is read as UTF-8 (RFC 8259 §8.1); got charset "${charset.slice(0, 40)}": send the body in UTF-8, with charset=utf-8 or none.`,
);
export const ERR_TOKEN = defineError('WEFT_ERR_TOKEN', 400, (what: string) => what);
export const ERR_TOKEN_CHANGES_BUSY = defineError(
  'WEFT_ERR_TOKEN_CHANGES_BUSY',
  503,
  (seconds: number) =>
    `Another Weft process sharing this ClickHouse server has been changing tokens for ${seconds} s; nothing was changed here. Try again in a few seconds.`,
);
export const ERR_TOKEN_NOT_FOUND = defineError(
  'WEFT_ERR_TOKEN_NOT_FOUND',
  404,
  (id: string) => `No active token with id "${id}"; "weft token list" shows them.`,
);
