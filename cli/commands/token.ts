import type { TokenInfo } from '../../access/index.ts';
import { flag, roles } from '../../core/config/index.ts';
import { didYouMean, shown } from '../../core/text/index.ts';
import { ERR_CONFIG } from '../../core/errors/index.ts';
import type { Command } from '../command.ts';
import { callApi, cliActor, withAccessStore } from './access-session.ts';
import { refuseBesideUrl } from './store-flags.ts';

/** Where a token command acts: an embedded data directory, a ClickHouse server or a running Weft. */
const storeFlags = ['data', 'clickhouse', 'url'];
const where = '[--data DIR | --clickhouse URL | --url http://127.0.0.1:3000 (with WEFT_TOKEN of an admin)]';

function table(tokens: TokenInfo[]): string {
  if (tokens.length === 0) return 'No tokens made by "weft token create" (configured tokens are listed in WEFT_API_TOKENS / WEFT_INGEST_TOKENS).';
  const rows = [
    ['id', 'name', 'role', 'created', 'last used', 'revoked'],
    ...tokens.map((t) => [t.id, t.name, t.role, t.createdAt, t.lastUsedAt ?? 'never', t.revokedAt ? `${t.revokedAt} by ${t.revokedBy}` : '']),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export const tokenCreateCommand: Command = {
  summary: 'Make a token for a role (ingest, viewer, sre, icoe, auditor, admin); prints it once',
  usage: `token create --role ROLE --name NAME ${where}`,
  options: ['role', 'name', ...storeFlags],
  async run(args, io) {
    const role = flag(args, 'role');
    const name = flag(args, 'name');
    if (!role || !name) throw ERR_CONFIG('Pass --role (ingest, viewer, sre, icoe, auditor or admin) and --name (who uses it: a person or a system).');
    // Before any store is opened (or made): a mistyped role leaves nothing behind.
    if (!(roles as readonly string[]).includes(role))
      throw ERR_CONFIG(`--role takes ${roles.join(', ')}, got ${shown(role)}${didYouMean(role.slice(0, 100), roles)}.`);
    const url = flag(args, 'url');
    refuseBesideUrl(args, ['data', 'clickhouse'], 'store');
    const made = url
      ? await callApi<{ token: string; info: TokenInfo }>(url, io, 'POST', '/tokens', { role, name })
      : await withAccessStore(args, io, { mustExist: false }, ({ credentials }) => credentials.createToken({ role, name }, cliActor()));
    io.err(`Token ${made.info.id} for ${made.info.name} (${made.info.role}). It is shown once, here; Weft keeps only a hash of it.`);
    io.out(made.token);
    return 0;
  },
};

export const tokenListCommand: Command = {
  summary: 'List tokens made by weft token create, with their last use (never their secret)',
  usage: `token list ${where}`,
  options: storeFlags,
  async run(args, io) {
    const url = flag(args, 'url');
    refuseBesideUrl(args, ['data', 'clickhouse'], 'store');
    const tokens = url
      ? (await callApi<{ tokens: TokenInfo[] }>(url, io, 'GET', '/tokens')).tokens
      : await withAccessStore(args, io, { mustExist: true }, ({ credentials }) => credentials.listTokens());
    io.out(table(tokens));
    return 0;
  },
};

export const tokenRevokeCommand: Command = {
  summary: 'Revoke a token by its id (weft token list shows ids)',
  usage: `token revoke ID ${where}`,
  options: storeFlags,
  operands: 1,
  async run(args, io) {
    const id = args.positionals[0];
    if (!id) throw ERR_CONFIG('Pass the id of the token to revoke: "weft token list" shows them.');
    const url = flag(args, 'url');
    refuseBesideUrl(args, ['data', 'clickhouse'], 'store');
    const info = url
      ? (await callApi<{ token: TokenInfo }>(url, io, 'POST', `/tokens/${encodeURIComponent(id)}/revoke`)).token
      : await withAccessStore(args, io, { mustExist: true }, ({ credentials }) => credentials.revokeToken(id, cliActor()));
    io.out(`Revoked token ${info.id} (${info.name}, ${info.role}).`);
    return 0;
  },
};
