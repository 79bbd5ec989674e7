import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLease, type Lease, type Store } from '../clickhouse/index.ts';
import { RESERVED_TOKEN_NAMES, type ConfiguredToken } from '../core/config/index.ts';
import { ERR_TOKEN, ERR_TOKEN_CHANGES_BUSY, ERR_TOKEN_NOT_FOUND } from '../core/errors/index.ts';
import type { Logger } from '../core/log/logger.ts';
import type { Actor, AuditLog } from './audit-log.ts';
import { AuthFailureLimit, type AuthFailureOptions } from './auth-failures.ts';
import { fastDigest, hashSecret, verifySecret } from './kdf.ts';
import { isRole, type Role } from './roles.ts';
import { generateToken, looksLikeWeftToken, MAX_TOKEN_LENGTH, parseToken } from './token-format.ts';
import { TokenStore, type TokenInfo } from './token-store.ts';

/** Who a request is: recorded as the actor of what it does (acknowledged by, audit log). */
export interface Identity {
  /** The token's name; `local` in no-token loopback mode. */
  name: string;
  role: Role;
  via: 'token' | 'configured' | 'local' | 'process';
  /** The stored token's id (via 'token'). */
  tokenId?: string;
}

/** The identity of every request in no-token loopback mode. */
export const localIdentity: Identity = Object.freeze({ name: 'local', role: 'admin', via: 'local' });

export interface CredentialsOptions {
  /** Tokens from configuration (WEFT_API_TOKENS, WEFT_INGEST_TOKENS), already validated by core/config. */
  configured?: readonly ConfiguredToken[];
  /** The store holding tokens made by `weft token create`; without it only configured tokens exist. */
  store?: Store;
  /** Where token create / revoke are recorded. */
  auditLog?: AuditLog;
  logger?: Logger;
  now?: () => Date;
  /** How long a verified token stays verified in memory (default 60 s; revocation in this process clears it at once). */
  cacheMs?: number;
  /** How many failed checks one client may make before its credentials get 429 (every listener of the process counts together). */
  authFailures?: AuthFailureOptions;
  /** How long a token change waits for another process's (ms, default TOKEN_CHANGE_WAIT_MS) before ERR_TOKEN_CHANGES_BUSY. */
  tokenChangeWaitMs?: number;
}

interface CacheEntry {
  identity: Identity | undefined;
  until: number;
}

/** Roles whose tokens close the collector's no-token mode, and the API's. */
export const ingestRoles: readonly Role[] = ['ingest'];
export const apiRoles: readonly Role[] = ['viewer', 'sre', 'icoe', 'auditor', 'admin'];

const NAME = /^[A-Za-z0-9._@-]{1,64}$/;
/**
 * The store's lease on token changes (`token-changes` in weft_alerting_lease, clickhouse/lease.ts): how long a holder
 * keeps it without releasing it (a process that died mid-change, ms), and how long a change waits for it (ms) before
 * ERR_TOKEN_CHANGES_BUSY.
 */
export const TOKEN_CHANGE_LEASE_MS = 15_000;
export const TOKEN_CHANGE_WAIT_MS = 20_000;

/** Failed checks of one stored token id allowed in FAILURE_WINDOW_MS before its secrets are refused without a KDF run. */
export const KDF_FAILURES_PER_ID = 20;
const FAILURE_WINDOW_MS = 60_000;
const RESERVED_NAMES = new Set(RESERVED_TOKEN_NAMES);
const NEGATIVE_CACHE_MS = 5_000;
const CACHE_MAX = 10_000;
const TOUCH_EVERY_MS = 60_000;
const COUNT_REFRESH_MS = 10_000;
/**
 * Stored token ids not known here as active wait for one shared re-read of the active ids, started at most this often
 * (ms): a token made by another process is accepted at its first use (after at most this wait), and made-up ids cost
 * one store query a period between them all, not one each.
 */
const UNKNOWN_ID_REFRESH_MS = 1000;

/** The bearer value of an Authorization header; undefined when absent, malformed or too long. */
export function bearerToken(header: string | undefined): string | undefined {
  if (typeof header !== 'string' || header.length > MAX_TOKEN_LENGTH + 16) return undefined;
  const m = /^Bearer +([^\s]+) *$/i.exec(header);
  return m ? m[1] : undefined;
}

/**
 * The one credential check (every listener: collector, API, UI). A presented token is either
 * one of Weft's own (`weft_<role>_<id>_…`, checked against its scrypt hash found by id) or a
 * configured token (found by its SHA-256 in a Map, compared in constant time). A verified token
 * is cached in memory by its SHA-256 for `cacheMs`, so the KDF runs once per token, not per
 * request; concurrent checks of one token share one KDF run.
 */
export class Credentials {
  private readonly configured = new Map<string, { digest: Buffer; identity: Identity }>();
  private readonly configuredNames = new Set<string>();
  private readonly tokens?: TokenStore;
  /** Held across a token change, so processes sharing a store make them one at a time. */
  private readonly changeLease?: Lease;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly pending = new Map<string, Promise<Identity | undefined>>();
  private readonly touched = new Map<string, number>();
  /** Failed checks per stored token id in the current minute (see KDF_FAILURES_PER_ID). */
  private readonly failures = new Map<string, { count: number; since: number; said: boolean }>();
  /**
   * Ids revoked by this process. A check that read a token's row before its revocation and finished its KDF run
   * after it must neither pass nor cache the token (it would have stayed valid for `cacheMs` after revoke returned).
   */
  private readonly revokedIds = new Set<string>();
  /** Per stored token id, the SHA-256 of the token verified for it in this process (never stored; dropped on revocation). */
  private readonly verifiedDigests = new Map<string, Buffer>();
  /** Counters for tests and /metrics: store lookups and KDF runs (each at most once per token per cache period). */
  readonly stats = { lookups: 0, kdfRuns: 0 };
  /** Failed checks per client (remote address), shared by every listener that uses this check (access/auth-failures.ts). */
  readonly authFailures: AuthFailureLimit;
  private storedActive = new Map<Role, number>();
  /** Ids of the stored tokens not revoked, as last read (with `storedActive`); undefined until read once. */
  private activeIds?: Set<string>;
  private countedAt = 0;
  private readonly now: () => Date;
  private readonly cacheMs: number;

  private constructor(private readonly options: CredentialsOptions) {
    this.now = options.now ?? (() => new Date());
    this.cacheMs = options.cacheMs ?? 60_000;
    this.authFailures = new AuthFailureLimit(options.authFailures);
    for (const t of options.configured ?? []) {
      const digest = fastDigest(t.token);
      this.configured.set(digest, { digest: Buffer.from(digest, 'hex'), identity: Object.freeze({ name: t.name, role: t.role, via: 'configured' as const }) });
      this.configuredNames.add(t.name);
    }
    if (options.store) {
      this.tokens = new TokenStore(options.store);
      // One holder a Credentials: two in one process (tests) are as two processes.
      const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
      this.changeLease = createLease(options.store, holder, { ttlMs: TOKEN_CHANGE_LEASE_MS, name: 'token-changes' });
    }
  }

  /**
   * A token for a part of this process that calls its own listeners (the demo estate exporting to the collector
   * and reporting OpenLineage to the API): random, held only in memory as a configured token is, gone when the
   * process ends. It does not end no-token mode (`hasTokens` does not count it), so making one changes nothing for
   * anyone else. `name` is who acts in records; returns the token's text.
   */
  processToken(name: string, role: Role): string {
    const token = `weft-process-${randomBytes(24).toString('base64url')}`;
    const digest = fastDigest(token);
    this.configured.set(digest, { digest: Buffer.from(digest, 'hex'), identity: Object.freeze({ name, role, via: 'process' as const }) });
    return token;
  }

  /** Builds the check; reads how many stored tokens are active. */
  static async create(options: CredentialsOptions = {}): Promise<Credentials> {
    const c = new Credentials(options);
    await c.refreshCount();
    return c;
  }

  private counting?: Promise<void>;

  /** Re-reads the active tokens (their ids, and how many per role); concurrent callers share one query. */
  private refreshCount(): Promise<void> {
    if (!this.tokens) return Promise.resolve();
    if (this.counting) return this.counting;
    const tokens = this.tokens;
    this.counting = tokens
      .active()
      .then((rows) => {
        const counts = new Map<Role, number>();
        for (const r of rows) counts.set(r.role, (counts.get(r.role) ?? 0) + 1);
        this.storedActive = counts;
        this.activeIds = new Set(rows.map((r) => r.id));
        this.countedAt = Date.now();
      })
      .finally(() => (this.counting = undefined));
    return this.counting;
  }

  /** A count that starts after a change (a query already running may have read the table before it). */
  private async recount(): Promise<void> {
    await this.counting?.catch(() => undefined);
    await this.refreshCount();
  }

  /**
   * True when a token of one of `roles` exists (configured, or stored and not revoked). A loopback
   * listener runs in no-token mode (everyone is `local`, admin) while no token of its roles exists
   * (`ingestRoles` for the collector, `apiRoles` for the API), so making an API token does not cut
   * off exporters; a listener beyond loopback never does.
   */
  async hasTokens(roles: readonly Role[]): Promise<boolean> {
    if ((this.options.configured ?? []).some((t) => roles.includes(t.role))) return true;
    const stored = () => roles.some((r) => (this.storedActive.get(r) ?? 0) > 0);
    if (this.tokens && Date.now() - this.countedAt > COUNT_REFRESH_MS) {
      try {
        await this.refreshCount();
      } catch (err) {
        // Cannot tell: keep the last answer unless it was "none", then assume tokens exist (fail closed).
        this.options.logger?.warn({ err }, 'counting tokens failed');
        if (!stored()) return true;
      }
    }
    return stored();
  }

  /** The identity of a bearer token, or undefined (unknown, revoked, malformed, wrong checksum). */
  async authenticate(authorization: string | undefined): Promise<Identity | undefined> {
    const presented = bearerToken(authorization);
    if (presented === undefined) return undefined;
    const key = fastDigest(presented);
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) {
      if (hit.identity?.tokenId) this.touch(hit.identity.tokenId);
      return hit.identity;
    }
    const running = this.pending.get(key);
    if (running) return running;
    const check = this.verify(presented, key).finally(() => this.pending.delete(key));
    this.pending.set(key, check);
    return check;
  }

  private async verify(presented: string, key: string): Promise<Identity | undefined> {
    let identity: Identity | undefined;
    let cacheable = true;
    if (looksLikeWeftToken(presented)) {
      const parsed = parseToken(presented);
      // A typo, a wrong prefix or a bad checksum costs no lookup.
      if (!parsed || !this.tokens) return undefined;
      try {
        // Token ids are not secret: a flood of made-up secrets for a real id would each cost a KDF run. Past
        // KDF_FAILURES_PER_ID failed checks of one id in a minute, its secrets are refused without one until the minute
        // ends — but for the one already verified in this process (known by its digest): a stranger who knows an id
        // must not lock its holder out.
        const good = this.verifiedDigests.get(parsed.id);
        const knownGood = good !== undefined && timingSafeEqual(good, Buffer.from(key, 'hex'));
        if (!knownGood && this.kdfRefused(parsed.id)) return undefined;
        // An id that is not an active token's (made up, or revoked) is refused without a query of its own: well-formed
        // tokens are easy to make (the checksum is not secret), and each made-up id cost a store query.
        if (knownGood || (await this.mayBeActive(parsed.id))) {
          this.stats.lookups++;
          const row = await this.tokens.get(parsed.id);
          if (
            row &&
            !row.revoked &&
            row.role === parsed.role &&
            // A token's secret never changes: one verified before needs no second KDF run.
            (knownGood || (await this.kdf(row.id, presented, row.secretHash))) &&
            // Revoked here while the row was read or the KDF ran.
            !this.revokedIds.has(row.id)
          ) {
            identity = Object.freeze({ name: row.name, role: row.role, via: 'token' as const, tokenId: row.id });
            if (this.verifiedDigests.size >= CACHE_MAX) this.verifiedDigests.clear();
            this.verifiedDigests.set(row.id, Buffer.from(key, 'hex'));
            this.touch(row.id);
          }
        }
      } catch (err) {
        this.options.logger?.error({ err, tokenId: parsed.id }, 'token lookup failed');
        cacheable = false;
      }
    } else {
      const found = this.configured.get(key);
      if (found && timingSafeEqual(found.digest, Buffer.from(key, 'hex'))) identity = found.identity;
    }
    if (cacheable) {
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(key, { identity, until: Date.now() + (identity ? this.cacheMs : NEGATIVE_CACHE_MS) });
    }
    return identity;
  }

  /**
   * False when `id` is not an active stored token's: known at once when it is, else after one re-read of the active ids
   * shared by every caller (at most one every UNKNOWN_ID_REFRESH_MS; callers wait for the next). True when the ids
   * cannot be read (the lookup by id decides).
   */
  private async mayBeActive(id: string): Promise<boolean> {
    if (this.activeIds?.has(id)) return true;
    try {
      await this.nextIdsRead();
    } catch (err) {
      this.options.logger?.warn({ err }, 'reading the active token ids failed');
      return true;
    }
    return this.activeIds?.has(id) ?? true;
  }

  private idsRead?: Promise<void>;

  /** The next re-read of the active ids, shared; it starts UNKNOWN_ID_REFRESH_MS after the last read at the earliest. */
  private nextIdsRead(): Promise<void> {
    if (this.idsRead) return this.idsRead;
    const wait = Math.max(0, this.countedAt + UNKNOWN_ID_REFRESH_MS - Date.now());
    this.idsRead = new Promise<void>((r) => setTimeout(r, wait))
      .then(() => {
        this.stats.lookups++;
        return this.recount();
      })
      .finally(() => (this.idsRead = undefined));
    return this.idsRead;
  }

  /**
   * True (and a warning, once a minute per id) when `id` had KDF_FAILURES_PER_ID failed checks in the current minute,
   * counting the checks running now: its secrets are refused without a KDF run.
   */
  private kdfRefused(id: string): boolean {
    const failed = this.failures.get(id);
    if (!failed || Date.now() - failed.since >= FAILURE_WINDOW_MS || failed.count < KDF_FAILURES_PER_ID) return false;
    if (!failed.said) {
      failed.said = true;
      this.options.logger?.warn(
        { tokenId: id, failures: failed.count },
        'many wrong secrets for one token id: its checks are refused without verification for the rest of the minute (but for the token already verified)',
      );
    }
    return true;
  }

  /**
   * One KDF run of a presented secret against a stored hash, counted as a failure of its id before it starts (and taken
   * back when it matches): run side by side, every check saw the count before any had failed, and each ran the KDF.
   */
  private async kdf(id: string, presented: string, secretHash: string): Promise<boolean> {
    if (this.kdfRefused(id)) return false;
    this.noteFailure(id);
    this.stats.kdfRuns++;
    const ok = await verifySecret(presented, secretHash);
    if (ok) {
      const f = this.failures.get(id);
      if (f && f.count > 0) f.count--;
    }
    return ok;
  }

  /** Counts a failed check of a stored token's id in the current minute. */
  private noteFailure(id: string): void {
    const now = Date.now();
    const f = this.failures.get(id);
    if (f && now - f.since < FAILURE_WINDOW_MS) f.count++;
    else {
      if (this.failures.size >= CACHE_MAX) this.failures.clear();
      this.failures.set(id, { count: 1, since: now, said: false });
    }
  }

  private touch(id: string): void {
    const now = Date.now();
    if (!this.tokens || now - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    this.tokens.touch(id, this.now()).catch((err: unknown) => this.options.logger?.warn({ err, tokenId: id }, 'recording token use failed'));
  }

  /** The token change running or last run: changes run one after another (see `oneAtATime`). */
  private changing: Promise<unknown> = Promise.resolve();

  /**
   * Runs `change` after every change started before it has ended. Each change checks the tokens and then writes:
   * run side by side, two revocations of the last two admin tokens each saw another admin left and both went
   * through (and a loopback API ran without tokens again), and two tokens made with one name each saw it free.
   */
  private oneAtATime<T>(change: () => Promise<T>): Promise<T> {
    const leased = () => this.holdingChangeLease(change);
    const run = this.changing.then(leased, leased);
    this.changing = run.catch(() => undefined);
    return run;
  }

  /**
   * Runs `change` holding the store's `token-changes` lease, so processes that share a ClickHouse server (`--only`)
   * change tokens one at a time too: two revocations of the last two admin tokens in two processes each saw another
   * admin left, and both went through. Waits for another holder up to TOKEN_CHANGE_WAIT_MS, then throws
   * ERR_TOKEN_CHANGES_BUSY (503) having changed nothing; a holder that died loses the lease after TOKEN_CHANGE_LEASE_MS.
   * The lease is a compare-and-set on the store (an insert deduplication token per version), three statements a change.
   */
  private async holdingChangeLease<T>(change: () => Promise<T>): Promise<T> {
    const lease = this.changeLease;
    if (!lease) return change();
    const started = Date.now();
    while (!(await lease.acquire(new Date()))) {
      if (Date.now() - started >= (this.options.tokenChangeWaitMs ?? TOKEN_CHANGE_WAIT_MS))
        throw ERR_TOKEN_CHANGES_BUSY(Math.round((Date.now() - started) / 1000));
      await sleep(50 + Math.floor(Math.random() * 100));
    }
    try {
      return await change();
    } finally {
      await lease.release().catch(() => undefined);
    }
  }

  private requireStore(): TokenStore {
    if (!this.tokens) throw ERR_TOKEN('This Weft has no token store (tokens come from configuration only).');
    return this.tokens;
  }

  /**
   * Makes a token: returns its text (shown once, never stored) and its listing. The name is who
   * acts in records, so it must be unique among active tokens and configured names (changes of one process run one at a time).
   */
  async createToken(input: { role: string; name: string }, by: Actor): Promise<{ token: string; info: TokenInfo }> {
    return this.oneAtATime(() => this.create(input, by));
  }

  private async create(input: { role: string; name: string }, by: Actor): Promise<{ token: string; info: TokenInfo }> {
    const tokens = this.requireStore();
    if (!isRole(input.role)) throw ERR_TOKEN(`Unknown role "${input.role}"; use one of ingest, viewer, sre, icoe, auditor, admin.`);
    if (!NAME.test(input.name))
      throw ERR_TOKEN(
        `Token name "${input.name.slice(0, 80)}" is not allowed: use 1–64 letters, digits and . _ @ - (a person or a system, e.g. ana@example.com).`,
      );
    if (RESERVED_NAMES.has(input.name.toLowerCase()))
      throw ERR_TOKEN(`The name "${input.name}" is reserved (it marks no-token mode or Weft itself); choose another.`);
    const active = await tokens.list({ active: true });
    if (this.configuredNames.has(input.name) || active.some((t) => t.name === input.name)) {
      throw ERR_TOKEN(`An active token is already named "${input.name}"; revoke it first or choose another name.`);
    }
    // Counted afresh under the lease: another process may have made the first admin token a moment ago.
    await this.recount();
    if (input.role !== 'admin' && input.role !== 'ingest' && !(await this.hasTokens(apiRoles))) {
      throw ERR_TOKEN(
        `The first API token must be an admin token: making it ends no-token mode, and only an admin can make more tokens. Make one with --role admin first.`,
      );
    }
    const { token, id } = generateToken(input.role);
    const at = this.now();
    await tokens.insert({ id, name: input.name, role: input.role, secretHash: await hashSecret(token), createdBy: by.name, at });
    await this.options.auditLog?.append(by, 'token.create', id, { name: input.name, role: input.role });
    await this.recount();
    const info = (await tokens.list()).find((t) => t.id === id)!;
    return { token, info };
  }

  /**
   * Revokes a stored token at once in this process (other processes within `cacheMs`). Token changes of one process
   * run one at a time, so the last admin token stays whatever is revoked at once.
   */
  async revokeToken(id: string, by: Actor): Promise<TokenInfo> {
    return this.oneAtATime(() => this.revoke(id, by));
  }

  private async revoke(id: string, by: Actor): Promise<TokenInfo> {
    const tokens = this.requireStore();
    // The last admin token stays: without it nobody can make tokens, and a loopback API would fall back to no-token mode.
    const active = await tokens.list({ active: true });
    const target = active.find((t) => t.id === id);
    if (target?.role === 'admin' && !(this.options.configured ?? []).some((t) => t.role === 'admin') && active.filter((t) => t.role === 'admin').length === 1)
      throw ERR_TOKEN(
        `Token ${id} is the last admin token: revoking it would leave nobody able to make or revoke tokens, and an API on loopback would run without tokens again. Make another admin token first ("weft token create --role admin --name NAME"), then revoke this one.`,
      );
    if (!(await tokens.revoke(id, by.name, this.now()))) throw ERR_TOKEN_NOT_FOUND(id);
    // In the same synchronous step as clearing the cache: a check still running sees the id as revoked when it ends.
    this.revokedIds.add(id);
    this.verifiedDigests.delete(id);
    for (const [key, entry] of this.cache) if (entry.identity?.tokenId === id) this.cache.delete(key);
    await this.options.auditLog?.append(by, 'token.revoke', id, {});
    await this.recount();
    return (await tokens.list()).find((t) => t.id === id)!;
  }

  /** Stored tokens with their last use (configured tokens are listed by configuration). */
  async listTokens(): Promise<TokenInfo[]> {
    return this.requireStore().list();
  }
}
