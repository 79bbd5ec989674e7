import { defineError } from './weft-error.ts';

// Configuration and storage
export const ERR_CONFIG = defineError('WEFT_ERR_CONFIG', 400, (what: string) => what);
export const ERR_STORE_LOCKED = defineError(
  'WEFT_ERR_STORE_LOCKED',
  503,
  (path: string) =>
    `The data directory ${path} is in use by another Weft process. Stop that process, or start this one with a different --data directory (or point both at a ClickHouse server with --clickhouse URL).`,
);
export const ERR_STORE_UNREACHABLE = defineError(
  'WEFT_ERR_STORE_UNREACHABLE',
  503,
  (url: string, reason: string) => `ClickHouse at ${url} is not reachable: ${reason}`,
);
export const ERR_MIGRATION = defineError(
  'WEFT_ERR_MIGRATION',
  500,
  (file: string, reason: string) => `Migration ${file} failed: ${reason}`,
);

// HTTP edge (shared by the collector and the API)
export const ERR_BAD_REQUEST = defineError('WEFT_ERR_BAD_REQUEST', 400, (what: string) => what);
export const ERR_NOT_FOUND = defineError('WEFT_ERR_NOT_FOUND', 404, (what: string) => what);
export const ERR_UNAUTHORIZED = defineError(
  'WEFT_ERR_UNAUTHORIZED',
  401,
  () => 'Missing or invalid bearer token: send "Authorization: Bearer <token>".',
);
export const ERR_FORBIDDEN = defineError(
  'WEFT_ERR_FORBIDDEN',
  403,
  (role: string) => `This token's role may not do this; it needs the ${role} role.`,
);
