/**
 * The `probes` and `reconciliations` sections of the estate catalog.
 * Owned by probes/ (issue: probes and drift); the catalog loader validates them with the schemas
 * exported here, then calls `validateProbeSections` for the references between sections.
 * Credentials are `env:NAME` references, resolved when a probe runs, never stored.
 */
import { Type, type Static } from '@sinclair/typebox';
import { validateCronExpression } from 'cron';
import { httpCredentialProblems, urlPasswordProblem } from './secret-fields.ts';
import { didYouMean } from '../text/index.ts';
import { count } from '../text/index.ts';
import { DURATION_PATTERN, isDuration, parseDuration } from '../time/index.ts';
import { MAX_TIMER_MS } from '../config/parse.ts';

export type ProbeKind = 'sql' | 'http' | 'amqp-queue' | 'nats-consumer';
export const probeKindNames: readonly ProbeKind[] = ['sql', 'http', 'amqp-queue', 'nats-consumer'];

const EnvRef = Type.String({ pattern: '^env:[A-Za-z_][A-Za-z0-9_]*$', description: 'env:NAME — read from the environment when the probe runs' });
const Duration = Type.String({ pattern: DURATION_PATTERN, description: 'a duration like 30s, 5m, 1h' });
const Column = Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' });
/** One key column, or the columns of a composite key. */
const KeyColumns = (description: string) => Type.Union([Column, Type.Array(Column, { minItems: 1, maxItems: 8 })], { description });
const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]*$', description: 'lower-case id' });

const base = {
  id: Id,
  system: Type.String({ minLength: 1, description: 'the system probed (a catalog system id)' }),
  domain: Type.Optional(Type.String({ minLength: 1, description: 'the domain whose record count this probe reads' })),
  every: Type.Optional(Duration),
  cron: Type.Optional(Type.String({ minLength: 9, description: 'cron expression, UTC' })),
  timeout: Type.Optional(Duration),
  jitter: Type.Optional(Duration),
};

/** A database: `dsn: env:NAME` (the whole URL is secret), or `url` plus `password: env:NAME`. */
const SqlConnection = {
  dsn: Type.Optional(EnvRef),
  url: Type.Optional(
    Type.String({ pattern: '^(postgres|postgresql|mysql|mariadb)://', description: 'postgres://user@host:5432/db or mysql://user@host:3306/db, no password' }),
  ),
  password: Type.Optional(EnvRef),
};

export const SqlProbeSchema = Type.Object(
  {
    ...base,
    kind: Type.Literal('sql'),
    ...SqlConnection,
    query: Type.String({ minLength: 1, description: 'read-only query returning one row; its first numeric column is the value' }),
    tables: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: 'tables whose columns are fingerprinted for schema drift (default: those named after FROM/JOIN)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const HttpProbeSchema = Type.Object(
  {
    ...base,
    kind: Type.Literal('http'),
    url: Type.String({ pattern: '^https?://', description: 'no password in it; a secret query parameter is written ?api_key=env:NAME' }),
    password: Type.Optional({ ...EnvRef, description: "env:NAME: sent as basic auth with the URL's user name" }),
    count: Type.Optional(Type.String({ pattern: '^\\$', description: 'JSON path of the count: $.total, $.data.items (an array counts its elements)' })),
    headers: Type.Optional(
      Type.Record(
        Type.String(),
        Type.String({ description: 'literal, or "<prefix>env:NAME" such as "Bearer env:CRM_TOKEN"; credential headers must be env: references' }),
      ),
    ),
    expectStatus: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
  },
  { additionalProperties: false },
);

export const AmqpQueueProbeSchema = Type.Object(
  {
    ...base,
    kind: Type.Literal('amqp-queue'),
    url: Type.String({ pattern: '^(amqps?://|env:)', description: 'amqp://user@host:5672/vhost, or env:NAME holding the whole URL' }),
    password: Type.Optional(EnvRef),
    queue: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

export const NatsConsumerProbeSchema = Type.Object(
  {
    ...base,
    kind: Type.Literal('nats-consumer'),
    servers: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })]),
    stream: Type.String({ minLength: 1 }),
    consumer: Type.String({ minLength: 1 }),
    user: Type.Optional(Type.String()),
    password: Type.Optional(EnvRef),
    token: Type.Optional(EnvRef),
  },
  { additionalProperties: false },
);

export const ProbeSpecSchema = Type.Union([SqlProbeSchema, HttpProbeSchema, AmqpQueueProbeSchema, NatsConsumerProbeSchema]);

export type SqlProbeSpec = Static<typeof SqlProbeSchema>;
export type HttpProbeSpec = Static<typeof HttpProbeSchema>;
export type AmqpQueueProbeSpec = Static<typeof AmqpQueueProbeSchema>;
export type NatsConsumerProbeSpec = Static<typeof NatsConsumerProbeSchema>;
export type ProbeSpec = Static<typeof ProbeSpecSchema>;
export type ProbeSpecBase = Pick<ProbeSpec, 'id' | 'kind' | 'system' | 'domain' | 'every' | 'cron' | 'timeout' | 'jitter'>;

/** A time zone as a reconciliation side names it: an IANA name (Europe/Berlin), UTC, or an offset (+01:00); the only text that reaches SQL. */
export const TIME_ZONE_PATTERN = '^(UTC|[+-](0[0-9]|1[0-4]):[0-5][0-9]|[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2})$';

/** One side of a reconciliation: a table in a PostgreSQL or MySQL/MariaDB database. */
export const ReconcileSourceSchema = Type.Object(
  {
    system: Type.String({ minLength: 1 }),
    ...SqlConnection,
    table: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?$' }),
    key: Type.Optional(KeyColumns("this side's name(s) for the key column(s), in the same order")),
    columns: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), {
        minItems: 1,
        description: "this side's names for the compared columns, in the same order",
      }),
    ),
    timeZone: Type.Optional(
      Type.String({
        pattern: TIME_ZONE_PATTERN,
        description:
          "the zone this side's timestamps without a zone (PostgreSQL timestamp, MySQL/MariaDB DATETIME) are written in: an IANA name (Europe/Berlin), UTC or an offset (+01:00); needed where the other side's column holds instants (timestamptz, MySQL/MariaDB TIMESTAMP), or holds wall-clock times of another zone",
      }),
    ),
  },
  { additionalProperties: false },
);

export const ReconcileSpecSchema = Type.Object(
  {
    id: Id,
    domain: Type.Optional(Type.String({ minLength: 1 })),
    every: Type.Optional(Duration),
    cron: Type.Optional(Type.String({ minLength: 9 })),
    timeout: Type.Optional(Duration),
    /** The system of record's side… */
    left: ReconcileSourceSchema,
    /** …and the replica's. */
    right: ReconcileSourceSchema,
    key: KeyColumns('key column, or columns of a composite key (integers, strings, UUIDs, exact numbers)'),
    columns: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), { minItems: 1 })),
    updatedAt: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'compare this column only (a last-modified timestamp)' })),
    segments: Type.Optional(Type.Integer({ minimum: 2, maximum: 65536, description: 'first-level segments (default: one per ~500 rows)' })),
    downloadBelow: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100000, description: 'download a differing segment once it holds at most this many rows (default 32)' }),
    ),
    sampleKeys: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: 'sample keys kept per difference kind (default 20)' })),
  },
  { additionalProperties: false },
);

export type ReconcileSourceSpec = Static<typeof ReconcileSourceSchema>;
export type ReconcileSpec = Static<typeof ReconcileSpecSchema>;

export interface SectionProblem {
  /** Where, as a path into the catalog: "probes[2].system". */
  path: string;
  message: string;
}

interface CatalogRefs {
  systems: Array<{ id: string }>;
  domains: Array<{ id: string }>;
  probes: ProbeSpec[];
  reconciliations: ReconcileSpec[];
}

/**
 * The shortest `every` of a probe or a reconciliation (ms): the next run is set as one starts, and a run still going
 * skips the tick with a warning, so `every: 0s` (or 1ms) logged "tick skipped" every millisecond of a run.
 */
export const MIN_SCHEDULE_EVERY_MS = 1000;

/**
 * Checks a schedule: exactly one of `every` / `cron`, a cron expression that parses, and an `every` (plus its `jitter`)
 * from 1 s (MIN_SCHEDULE_EVERY_MS) to the longest delay a timer holds (MAX_TIMER_MS, 24.8 days: a longer one fired at
 * once, over and over). A malformed duration is the schema's to report.
 */
function scheduleProblems(
  where: string,
  spec: { every?: string; cron?: string; jitter?: string },
  required: boolean,
  isCron: (expr: string) => boolean,
): SectionProblem[] {
  if (spec.every && spec.cron) return [{ path: `${where}.cron`, message: 'give either every or cron, not both' }];
  if (required && !spec.every && !spec.cron) return [{ path: `${where}.every`, message: 'a probe needs a schedule: every: 1m, or cron: "*/5 * * * *"' }];
  if (spec.cron && !isCron(spec.cron)) return [{ path: `${where}.cron`, message: `"${spec.cron}" is not a cron expression (five or six fields, UTC)` }];
  if (spec.every && isDuration(spec.every)) {
    const ms = (text: string | undefined) => {
      try {
        return text && isDuration(text) ? parseDuration(text) : 0;
      } catch {
        return Infinity;
      }
    };
    const every = ms(spec.every);
    if (every < MIN_SCHEDULE_EVERY_MS)
      return [
        { path: `${where}.every`, message: `every: ${spec.every} is shorter than 1s: the runs would follow each other back to back; write every: 1s or more` },
      ];
    if (every + ms(spec.jitter) > MAX_TIMER_MS)
      return [
        {
          path: `${where}.every`,
          message: `every: ${spec.every}${spec.jitter ? ` with jitter: ${spec.jitter}` : ''} is longer than a timer holds (24.8 days), which would run it at once, over and over; write a cron expression instead (cron: "0 3 1 * *" runs it monthly)`,
        },
      ];
  }
  return [];
}

function connectionProblems(where: string, c: { dsn?: string; url?: string; password?: string }): SectionProblem[] {
  if (c.dsn && c.url) return [{ path: `${where}.url`, message: 'give either dsn (env:NAME) or url, not both' }];
  if (!c.dsn && !c.url) return [{ path: `${where}.dsn`, message: 'a database needs dsn: env:NAME, or url: postgres://user@host/db with password: env:NAME' }];
  const pw = c.url ? urlPasswordProblem(c.url) : undefined;
  if (pw) return [{ path: `${where}.url`, message: pw }];
  return [];
}

/**
 * The references the schemas cannot check: probe and reconciliation systems and domains exist,
 * ids are unique, schedules are well formed, connections name their credentials by reference.
 */
export function validateProbeSections(
  catalog: CatalogRefs,
  isCron: (expr: string) => boolean = (expr) => validateCronExpression(expr).valid,
): SectionProblem[] {
  const problems: SectionProblem[] = [];
  const systems = new Set(catalog.systems.map((s) => s.id));
  const domains = new Set(catalog.domains.map((d) => d.id));
  const seen = new Set<string>();
  catalog.probes.forEach((p, i) => {
    const where = `probes[${i}]`;
    if (seen.has(p.id)) problems.push({ path: `${where}.id`, message: `probe id "${p.id}" is used twice` });
    seen.add(p.id);
    if (!systems.has(p.system))
      problems.push({ path: `${where}.system`, message: `unknown system "${p.system}"${didYouMean(p.system, systems)}: declare it under systems` });
    if (p.domain && !domains.has(p.domain))
      problems.push({ path: `${where}.domain`, message: `unknown domain "${p.domain}"${didYouMean(p.domain, domains)}: declare it under domains` });
    problems.push(...scheduleProblems(where, p, true, isCron));
    if (p.kind === 'sql') problems.push(...connectionProblems(where, p));
    if (p.kind === 'amqp-queue') {
      const pw = urlPasswordProblem(p.url);
      if (pw) problems.push({ path: `${where}.url`, message: pw });
    }
    if (p.kind === 'nats-consumer') {
      (Array.isArray(p.servers) ? p.servers : [p.servers]).forEach((s, j) => {
        const pw = urlPasswordProblem(s.includes('://') ? s : `nats://${s}`);
        const path = `${where}.servers${Array.isArray(p.servers) ? `[${j}]` : ''}`;
        if (pw) problems.push({ path, message: pw.replace('password: env:NAME', 'user + password: env:NAME, or token: env:NAME') });
      });
    }
    if (p.kind === 'http')
      problems.push(...httpCredentialProblems(p, { passwordField: true }).map((h) => ({ path: `${where}.${h.field}`, message: h.message })));
  });
  const seenRec = new Set<string>();
  catalog.reconciliations.forEach((r, i) => {
    const where = `reconciliations[${i}]`;
    if (seenRec.has(r.id)) problems.push({ path: `${where}.id`, message: `reconciliation id "${r.id}" is used twice` });
    seenRec.add(r.id);
    if (r.domain && !domains.has(r.domain))
      problems.push({ path: `${where}.domain`, message: `unknown domain "${r.domain}"${didYouMean(r.domain, domains)}: declare it under domains` });
    problems.push(...scheduleProblems(where, r, false, isCron));
    const keyCount = Array.isArray(r.key) ? r.key.length : 1;
    for (const side of ['left', 'right'] as const) {
      const k = r[side].key;
      if (k !== undefined && (Array.isArray(k) ? k.length : 1) !== keyCount) {
        const message = `names ${Array.isArray(k) ? k.length : 1} key columns; the reconciliation's key has ${keyCount}`;
        problems.push({ path: `${where}.${side}.key`, message });
      }
    }
    if (!r.columns && !r.updatedAt)
      problems.push({
        path: `${where}.columns`,
        message: 'name the compared columns (columns: [name, email]) or an updated-at column (updatedAt: updated_at)',
      });
    for (const side of ['left', 'right'] as const) {
      const s = r[side];
      if (!systems.has(s.system))
        problems.push({ path: `${where}.${side}.system`, message: `unknown system "${s.system}"${didYouMean(s.system, systems)}: declare it under systems` });
      problems.push(...connectionProblems(`${where}.${side}`, s));
      const expected = r.updatedAt ? 1 : (r.columns?.length ?? 0);
      if (s.columns && s.columns.length !== expected) {
        problems.push({ path: `${where}.${side}.columns`, message: `lists ${count(s.columns.length, 'column')}; the reconciliation compares ${expected}` });
      }
    }
  });
  return problems;
}
