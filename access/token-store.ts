import type { Store } from '../clickhouse/index.ts';
import { fromChTime, toChTime } from '../clickhouse/index.ts';
import type { Role } from './roles.ts';

/** A stored token as listed (`weft token list`, GET /api/v1/tokens): never its secret or hash. */
export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  revokedBy: string;
  /** ISO time of the last successful use, null when never used. */
  lastUsedAt: string | null;
}

/** The row a presented token is checked against. */
export interface StoredToken {
  id: string;
  name: string;
  role: Role;
  secretHash: string;
  revoked: boolean;
}

interface TokenRow {
  id: string;
  name: string;
  role: string;
  secret_hash: string;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
  revoked_by: string;
  version: string | number;
  last_used_at?: string | null;
}

/**
 * The tokens table (`weft_tokens`, migration 050) and when each was last used
 * (`weft_token_last_used`). Every value goes in as a query parameter.
 */
export class TokenStore {
  constructor(private readonly store: Store) {}

  private async rows(where: string, params: Record<string, unknown>): Promise<TokenRow[]> {
    const r = await this.store.client.query({
      query: `SELECT id, name, role, secret_hash, toString(created_at) AS created_at, created_by, toString(revoked_at) AS revoked_at, revoked_by, version
              FROM weft_tokens FINAL WHERE ${where} ORDER BY created_at, id`,
      query_params: params,
      format: 'JSONEachRow',
    });
    return r.json<TokenRow>();
  }

  /** The current row of one token id, undefined when there is none. */
  async get(id: string): Promise<StoredToken | undefined> {
    const [row] = await this.rows('id = {id:String}', { id });
    return row ? { id: row.id, name: row.name, role: row.role as Role, secretHash: row.secret_hash, revoked: row.revoked_at !== null } : undefined;
  }

  /** Adds a token (already hashed). */
  async insert(t: { id: string; name: string; role: Role; secretHash: string; createdBy: string; at: Date }): Promise<void> {
    await this.store.client.insert({
      table: 'weft_tokens',
      values: [
        {
          id: t.id,
          name: t.name,
          role: t.role,
          secret_hash: t.secretHash,
          created_at: toChTime(t.at),
          created_by: t.createdBy,
          revoked_at: null,
          revoked_by: '',
          version: 1,
        },
      ],
      format: 'JSONEachRow',
    });
  }

  /** Marks a token revoked (a new version of its row); false when there is no such active token. */
  async revoke(id: string, by: string, at: Date): Promise<boolean> {
    const [row] = await this.rows('id = {id:String}', { id });
    if (!row || row.revoked_at !== null) return false;
    await this.store.client.insert({
      table: 'weft_tokens',
      values: [{ ...row, revoked_at: toChTime(at), revoked_by: by, version: Number(row.version) + 1 }],
      format: 'JSONEachRow',
    });
    return true;
  }

  /** Every token with its last use, oldest first; revoked ones too unless `active`. */
  async list(options: { active?: boolean } = {}): Promise<TokenInfo[]> {
    const rows = await this.rows(options.active ? 'revoked_at IS NULL' : '1', {});
    const used = await this.store.client
      .query({ query: 'SELECT id, toString(max(last_used_at)) AS at FROM weft_token_last_used GROUP BY id', format: 'JSONEachRow' })
      .then((r) => r.json<{ id: string; at: string }>());
    const last = new Map(used.map((u) => [u.id, u.at]));
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role as Role,
      createdAt: fromChTime(r.created_at),
      createdBy: r.created_by,
      revokedAt: r.revoked_at === null ? null : fromChTime(r.revoked_at),
      revokedBy: r.revoked_by,
      lastUsedAt: last.has(r.id) ? fromChTime(last.get(r.id)!) : null,
    }));
  }

  /** The id and role of every token that is not revoked (a few rows: tokens are made by hand). */
  async active(): Promise<Array<{ id: string; role: Role }>> {
    return this.store.client
      .query({ query: 'SELECT id, role FROM weft_tokens FINAL WHERE revoked_at IS NULL', format: 'JSONEachRow' })
      .then((r) => r.json<{ id: string; role: Role }>());
  }

  /** Records a use. */
  async touch(id: string, at: Date): Promise<void> {
    await this.store.client.insert({ table: 'weft_token_last_used', values: [{ id, last_used_at: toChTime(at) }], format: 'JSONEachRow' });
  }
}
