export { WeftError, defineError, isWeftError } from './weft-error.ts';
export type { WeftErrorFactory } from './weft-error.ts';
export {
  ERR_CONFIG,
  ERR_STORE_LOCKED,
  ERR_STORE_UNREACHABLE,
  ERR_MIGRATION,
  ERR_BAD_REQUEST,
  ERR_NOT_FOUND,
  ERR_UNAUTHORIZED,
  ERR_FORBIDDEN,
  ERR_NO_ACCESS_LEVEL,
  ERR_AMBIGUOUS_CREDENTIALS,
  ERR_AUTH_FAILURES,
  ERR_FOREIGN_HOST,
  ERR_PROXIED,
  ERR_CROSS_SITE,
  ERR_WRITE_MEDIA_TYPE,
  ERR_JSON_CHARSET,
  ERR_TOKEN,
  ERR_TOKEN_NOT_FOUND,
} from './catalogue.ts';
