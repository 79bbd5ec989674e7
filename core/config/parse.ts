import { isIPv4 } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { ERR_CONFIG } from '../errors/index.ts';
import { parseAuthority } from '../net/authority.ts';
import { parseTrustedProxies } from '../net/forwarded-client.ts';
import { parseDuration, parsePositiveDuration, type DurationBound } from '../time/duration.ts';
import { closestName, didYouMean } from '../text/closest-name.ts';
import { shown } from '../text/shown.ts';
import { ENV_PATTERN, envPatterns } from '../catalog/env-refs.ts';
import {
  defaultMaxExpandedBytes,
  MAX_ANY_VALUE_DEPTH,
  parts,
  roles,
  type CollectorLimits,
  type ConfiguredToken,
  type Part,
  type Role,
  type WeftConfig,
} from './config.ts';
import { dataDirOf } from './data-dir.ts';
import { secretsReader } from './secrets-file.ts';

/** `--late-arrival`'s default outside the demo: how long a trace waits for late spans before it is paired. */
export const DEFAULT_LATE_ARRIVAL = '2m';
/** `--run-gap`'s default: the gap between a run's reads and its write when an integration loses trace context. */
export const DEFAULT_RUN_GAP = '30s';

/**
 * How a command reads its flags. `values`: flags that take a value (`--since 7d`, `--since=7d`); when given,
 * any flag in none of the three sets is refused, naming the closest known one. `booleans`: flags that take
 * no value (`--json`), or `=true` / `=false`. `optional`: flags that stand alone for "true" or take a value
 * after "=" (`--faults`, `--faults=stale-flow`); their value never comes from the next argument.
 */
export interface FlagSpec {
  values?: ReadonlySet<string>;
  booleans: ReadonlySet<string>;
  optional?: ReadonlySet<string>;
}

/** The value flags `buildConfig` reads: those of `weft start`. */
export const configFlags: readonly string[] = [
  'catalog',
  'data',
  'spool',
  'clickhouse',
  'cluster',
  'only',
  'host',
  'port',
  'otlp-host',
  'otlp-port',
  'public-name',
  'trusted-proxies',
  'api-tokens',
  'ingest-tokens',
  'late-arrival',
  'run-gap',
  'window',
  'analyze-every',
  'retention-raw-days',
  'retention-rollup-days',
  'retention-record-days',
  'secrets-file',
  'catalog-env-allow',
  'catalog-env-deny',
  'trace-link',
  'log-level',
  'demo-time-scale',
  'report-exports',
  'report-queue',
];

/** The switches `buildConfig` reads (flags without a value): those of `weft start`. */
export const configSwitches: readonly string[] = ['demo', 'no-demo', 'no-faults', 'no-propagation', 'no-auto-remediation'];

/** Flags that may be given more than once, each adding a value (`--catalog a.yaml --catalog b.yaml`). */
const repeatableFlags = new Set(['catalog']);

/** The logging levels `--log-level` / WEFT_LOG_LEVEL take (pino's). */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `value` when it is a logging level; else ERR_CONFIG naming `what` (the flag or variable), the levels and the one meant. */
export function logLevelOf(value: string, what: string): string {
  if ((logLevels as readonly string[]).includes(value)) return value;
  throw ERR_CONFIG(`${what} takes ${logLevels.join(', ')}, got ${shown(value)}${didYouMean(value.slice(0, 100), logLevels)}.`);
}

/** True when a switch (`--json`, `--no-record`) is on: given alone or `=true`, the last time it is given. */
export function switchOn(args: ParsedArgs, name: string): boolean {
  return flag(args, name) === 'true';
}

/** Any flag, the switches of `weft start` and `--help`: for scripts and tests that build a configuration. */
const lenientSpec: FlagSpec = { booleans: new Set([...configSwitches, 'help']), optional: new Set(['faults']) };

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string[]>;
}

/**
 * `--name value`, `--name=value`, repeatable; booleans take no value (or `=true` / `=false`). Throws
 * ERR_CONFIG, naming the flag and what to write instead, for:
 * - a value flag given an empty value (`--until ''`, `--until=`, what `--until "$UNSET"` gives): taken as
 *   absent it would silently mean the default (now, 24h, the local store) instead of what was meant;
 * - a boolean given any value but true or false (`--demo=yes`, `--json=`), which would silently mean off;
 * - an optional-value flag given an empty value (`--faults=`);
 * - a flag outside `spec` when `spec.values` is given (`--sinc 30s` would otherwise mean the default);
 * - with `spec.values`, a flag given twice with different values (`--port 3000 --port 4000`), but --catalog;
 * - a single-dash word (`-since`), and an empty argument (`weft catalog validate "$UNSET"`).
 * Values are quoted in messages up to 100 characters.
 * `-h` is read as `--help`; everything after `--` is positional.
 */
export function parseArgs(argv: string[], spec: FlagSpec = lenientSpec): ParsedArgs {
  const positionals: string[] = [];
  // Null prototype: a flag named like an Object method (--constructor) is just an unknown flag.
  const flags: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  const optional = spec.optional ?? new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      (flags.help ??= []).push('true');
      continue;
    }
    if (/^-[A-Za-z]/.test(arg)) throw ERR_CONFIG(`${shown(arg)}: flags take two dashes (-${arg.split('=')[0].slice(0, 100)}).`);
    if (!arg.startsWith('--')) {
      if (arg === '') throw ERR_CONFIG('An empty argument was given (an unset variable?): give it a value, or leave it out.');
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const given = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (spec.values && !spec.values.has(name) && !spec.booleans.has(name) && !optional.has(name) && name !== 'help') throw unknownFlag(name, spec);
    let value: string;
    if (spec.booleans.has(name) || name === 'help') {
      if (given !== undefined && given !== 'true' && given !== 'false')
        throw ERR_CONFIG(`--${name} takes no value (or =true / =false), got ${shown(given)}: write --${name} alone, or leave it out.`);
      value = given ?? 'true';
    } else if (optional.has(name)) {
      if (given === '') throw ERR_CONFIG(`--${name}= was given an empty value (an unset variable?): write --${name} alone, or --${name}=VALUE.`);
      value = given ?? 'true';
    } else if (given !== undefined) value = given;
    else {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw ERR_CONFIG(`--${name.slice(0, 100)} needs a value.`);
      value = argv[++i];
    }
    if (value === '') throw ERR_CONFIG(`--${name} was given an empty value (an unset variable?): give it a value, or leave the flag out.`);
    const earlier = flags[name];
    // Given twice, the last would silently win (--port 3000 --port 4000); where every value counts, each is kept.
    if (spec.values && earlier && !repeatableFlags.has(name) && !earlier.includes(value))
      throw ERR_CONFIG(`--${name} is given more than once (${[...earlier, value].map(shown).join(', ')}): give it once.`);
    (flags[name] ??= []).push(value);
  }
  return { positionals, flags };
}

/** The error for a flag the command does not take: the closest one it does take, or the list of them. */
function unknownFlag(name: string, spec: FlagSpec): Error {
  const known = [...(spec.values ?? []), ...spec.booleans, ...(spec.optional ?? [])];
  const meant = closestName(name.slice(0, 100), known);
  const given = name.length > 100 ? `--${name.slice(0, 100)}…` : `--${name}`;
  if (meant !== undefined) return ERR_CONFIG(`unknown flag ${given} (did you mean --${meant}?).`);
  if (known.length === 0) return ERR_CONFIG(`unknown flag ${given}: this command takes none.`);
  if (known.length > 10) return ERR_CONFIG(`unknown flag ${given}: --help lists the flags this command takes.`);
  return ERR_CONFIG(`unknown flag ${given}: this command takes ${known.map((k) => `--${k}`).join(', ')}.`);
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return v ? v[v.length - 1] : undefined;
}

/** `"value"` for a message: its first 100 characters, then "…" when it is longer. */
function quote(value: string | undefined): string {
  const v = value ?? '';
  return `"${v.length > 100 ? `${v.slice(0, 100)}…` : v}"`;
}

/** A setting's own upper bound on a whole number: `max`, and the error that says why (thrown for any larger value). */
interface IntBound {
  max: number;
  error: () => Error;
}

/**
 * A whole number written in decimal digits (spaces around it allowed), up to 2^53 − 1; unset or empty is `fallback`.
 * `1e3`, `0x10`, `+5`, `5.0` and `1_000` are refused rather than read as JavaScript's `Number` reads them (1000, 16, …),
 * and a value too large to hold exactly is refused rather than rounded. Throws ERR_CONFIG naming `what` (the flag or
 * variable) and quoting the value (its first 100 characters). With `bound`, any value above `bound.max` — one past
 * 2^53 − 1 included — throws `bound.error()`, so that the message names the setting's own bound (65535, 10000 days, …)
 * rather than 2^53 − 1.
 */
function int(value: string | undefined, what: string, fallback: number, bound?: IntBound): number {
  if (value === undefined || value === '') return fallback;
  const digits = value.trim();
  if (!/^[0-9]+$/.test(digits)) throw ERR_CONFIG(`${what} must be a whole number, got ${quote(value)}.`);
  const n = Number(digits);
  // Digits only: n is a number, Infinity for hundreds of digits, and larger than any bound when past 2^53 − 1.
  if (bound && n > bound.max) throw bound.error();
  if (!Number.isSafeInteger(n)) throw ERR_CONFIG(`${what} must be at most ${Number.MAX_SAFE_INTEGER}, got ${quote(value)}.`);
  return n;
}

/**
 * The most days a retention may keep rows: a row's expiry (its time plus the days) must stay before the end of the
 * engine's DateTime, 2106-02-07 — past it, ClickHouse wraps the expiry around to 1970 and deletes the rows as they are
 * stored (`--retention-raw-days 30000` kept nothing). 10,000 days is 27 years.
 */
export const MAX_RETENTION_DAYS = 10_000;

/** A retention in days (`int`), 1 to MAX_RETENTION_DAYS; else ERR_CONFIG naming `what` and saying why. */
function retentionDays(value: string | undefined, what: string, fallback: number): number {
  const n = int(value, what, fallback, {
    max: MAX_RETENTION_DAYS,
    error: () =>
      ERR_CONFIG(
        `${what} must be at most ${MAX_RETENTION_DAYS} days (27 years): a longer one ends past the engine's last date, 2106-02-07, and would delete rows as they are stored; got ${quote(value)}.`,
      ),
  });
  if (n < 1) throw ERR_CONFIG(`${what} must be 1 or more: 0 days would delete every row as it is stored, got ${quote(value)}.`);
  return n;
}

/** `int`, and at least 1: else ERR_CONFIG naming `what` and saying why (`reason`). */
function atLeastOne(value: string | undefined, what: string, fallback: number, reason: string): number {
  const n = int(value, what, fallback);
  if (n < 1) throw ERR_CONFIG(`${what} must be 1 or more (${reason}), got ${quote(value)}.`);
  return n;
}

/**
 * The longest delay Node's timers hold, in ms (2^31 − 1, 24.8 days): a longer one fires at once, with a
 * TimeoutOverflowWarning, every time it is set — `--analyze-every 30d` ran the analysis back to back.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * The shortest `--analyze-every` (ms): an analysis (a pairing run and every detector over the window) takes hundreds of
 * ms even on a small estate (docs/scaling.md: a pairing run alone ~240 ms), and the next one is set when the last ends,
 * so `--analyze-every 1ms` ran them back to back, holding a core. The demo and tests use 2 s at the least.
 */
export const MIN_ANALYZE_EVERY_MS = 1000;

/** A day in ms. */
const DAY_MS = 86_400_000;

/**
 * The longest late-arrival window (ms; 36 hours): a pairing run reads the spans that arrived since its frontier, which it
 * never holds further back than 36 hours before the newest arrival (analyzer/flows/pairing-job.ts reads this as its
 * MAX_SCAN_MS), and the arrival rows are kept two days, so a trace that waits longer for late spans is never paired.
 */
export const MAX_LATE_ARRIVAL_MS = 36 * 3_600_000;

/** A delay in ms (`int`) that is given to a timer: at most MAX_TIMER_MS, else ERR_CONFIG naming `what` and saying why. */
function timerMs(value: string | undefined, what: string, fallback: number): number {
  return int(value, what, fallback, { max: MAX_TIMER_MS, error: () => timerTooLong(what, value) });
}

/** The error for a delay longer than a timer holds. */
function timerTooLong(what: string, value: string | undefined): Error {
  return ERR_CONFIG(
    `${what} must be at most ${MAX_TIMER_MS} ms (24.8 days): a longer delay does not fit Node's timers, which fire it at once, over and over; got ${quote(value)}.`,
  );
}

/** `http(s)://…{traceId}…`: a link template to an external trace viewer; anything else is a config error. */
function traceLink(value: string | undefined, what: string): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value.replace('{traceId}', '0'));
  } catch {
    throw ERR_CONFIG(`${what} must be an http(s) URL with {traceId} in it, e.g. http://jaeger:16686/trace/{traceId}; got "${value}".`);
  }
  if (!/^https?:$/.test(url.protocol) || !value.includes('{traceId}')) {
    throw ERR_CONFIG(`${what} must be an http(s) URL with {traceId} in it, e.g. http://jaeger:16686/trace/{traceId}; got "${value}".`);
  }
  return value;
}

/** A switch set in the environment: true or false (any case); unset or empty is the default; anything else is refused. */
function onOff(value: string | undefined, what: string, fallback: boolean): boolean {
  if (value === undefined || value.trim() === '') return fallback;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === 'false') return v === 'true';
  throw ERR_CONFIG(`${what} takes true or false, got "${value.slice(0, 100)}".`);
}

/** A TCP port (`int`), 0 to 65535 (0: any free port); else ERR_CONFIG naming `what`. */
function port(value: string | undefined, what: string, fallback: number): number {
  return int(value, what, fallback, { max: 65535, error: () => ERR_CONFIG(`${what} must be a port number (0-65535), got ${quote(value)}.`) });
}

function list(value: string | undefined): string[] {
  return value
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

/**
 * `CRM_*,ERP_DB_URL` → patterns; undefined (not set) → none. Anything but letters, digits, _ and * is refused, and so is
 * an empty item or a value naming nothing (`,`, ` `, `A,,B`): an allow-list set to nothing was no allow-list, and let a
 * catalog read every variable but WEFT_* (`WEFT_CATALOG_ENV_ALLOW="$ALLOW"` with ALLOW unset). ERR_CONFIG naming `what`.
 */
export function envPolicyList(value: string | undefined, what: string): string[] {
  if (value !== undefined && value.split(',').some((item) => item.trim() === ''))
    throw ERR_CONFIG(
      value.trim() === '' || value.split(',').every((item) => item.trim() === '')
        ? `${what} is set but names no variable: give the names or patterns (CRM_*,ERP_DB_URL), or leave it unset.`
        : `${what} has an empty item (${shown(value)}): remove the extra comma.`,
    );
  const out = envPatterns(value);
  for (const p of out) {
    if (!ENV_PATTERN.test(p)) throw ERR_CONFIG(`${what} takes variable names or patterns like CRM_* (letters, digits, _ and *), got "${p}".`);
  }
  return out;
}

/**
 * True for an address only this machine can reach: an IPv4 address in 127.0.0.0/8, ::1, localhost.
 * A name that only starts like one (`127.0.0.1.example.com`) is not: it resolves wherever its DNS says.
 */
export function isLoopback(host: string): boolean {
  if (isIPv4(host)) return host.split('.')[0] === '127';
  return host === 'localhost' || host === '::1' || host === '[::1]';
}

/**
 * WEFT_PUBLIC_NAMES (`--public-name`), lower case: each a host name or `host:port` (the port a
 * proxy's clients use, when it is not to be any). A URL or anything else is refused, saying so.
 */
function publicNamesOf(value: string | undefined): string[] {
  const names = list(value).map((n) => n.toLowerCase());
  for (const n of names) {
    if (!parseAuthority(n))
      throw ERR_CONFIG(
        `WEFT_PUBLIC_NAMES (--public-name) takes host names, optionally with a port (weft.internal, weft.internal:8443), got "${n.slice(0, 100)}".`,
      );
  }
  return names;
}

/**
 * WEFT_TRUSTED_PROXIES (`--trusted-proxies`): IP addresses and CIDR ranges (`127.0.0.1`, `10.0.0.0/8`, `::1`,
 * `fd00::/8`). Anything else, a prefix length out of range or a range of every address is refused, naming the item.
 */
function trustedProxiesOf(value: string | undefined): string[] {
  try {
    return parseTrustedProxies(list(value));
  } catch (err) {
    throw ERR_CONFIG(
      `WEFT_TRUSTED_PROXIES (--trusted-proxies) takes the IP addresses or CIDR ranges of reverse proxies in front of Weft (127.0.0.1, 10.0.0.0/8, ::1, fd00::/8): ${(err as Error).message}.`,
    );
  }
}

/** Names no token may act as (any letter case): `local` is no-token mode, `weft` is Weft itself. */
export const RESERVED_TOKEN_NAMES: readonly string[] = ['local', 'weft'];

/** Shortest configured token accepted: shorter ones are guessable. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * `token:role[:name],…` (WEFT_API_TOKENS) or `token[:ingest][:name],…` (WEFT_INGEST_TOKENS). Refuses,
 * naming the variable, an empty item or token (what `"${UNSET}:admin"` gives), a token shorter than
 * 16 characters, a token given twice (in either variable), an API token without a role (never an admin
 * by default), an unknown role, or a name given twice.
 */
export function configuredTokens(apiValue: string | undefined, ingestValue: string | undefined): ConfiguredToken[] {
  const out: ConfiguredToken[] = [];
  const seen = new Map<string, string>();
  const names = new Set<string>();
  // `defaultRole` undefined: every item names its role (an API token given without one was made an admin).
  const read = (value: string | undefined, source: ConfiguredToken['source'], defaultRole: Role | undefined, allowed: readonly Role[]) => {
    if (value === undefined || value.trim() === '') return;
    const items = value.split(',').map((s) => s.trim());
    items.forEach((item, i) => {
      const where = `${source} item ${i + 1}`;
      if (item === '') throw ERR_CONFIG(`${where} is empty (a stray comma?): give token:role items separated by commas.`);
      const [token, givenRole, name = `${source}#${i + 1}`, ...rest] = item.split(':');
      if (rest.length > 0) throw ERR_CONFIG(`${where} has too many ":" parts: write token:role or token:role:name (tokens may not contain ":" or ",").`);
      if (token === '') throw ERR_CONFIG(`${where} has an empty token (an unset variable in "\${VAR}:role"?): set the token, or remove the item.`);
      const roleText = givenRole ?? defaultRole;
      if (roleText === undefined)
        throw ERR_CONFIG(`${where} has no role: write token:role[:name] with one of ${allowed.join(', ')}; Weft gives no role by default.`);
      // A bearer token is sent as one word: a space in it (`token :viewer`) would make a token no request can present.
      if (/\s/.test(token) || /\s/.test(roleText) || /\s/.test(name))
        throw ERR_CONFIG(`${where} has a space inside it (around a ":"?): write token:role[:name] without spaces; a token is sent as one word.`);
      if (token.length < MIN_TOKEN_LENGTH) {
        throw ERR_CONFIG(
          `${where} is ${token.length} characters long: tokens must be at least ${MIN_TOKEN_LENGTH} (make one with "weft token create" or "openssl rand -hex 24").`,
        );
      }
      if (!allowed.includes(roleText as Role)) {
        // A role as long as a token is most likely one (two tokens joined with ":" instead of ","): never echo it.
        const shown = roleText.length >= MIN_TOKEN_LENGTH ? `of ${roleText.length} characters (a token? items are separated by ",")` : `"${roleText}"`;
        throw ERR_CONFIG(`${where} has role ${shown}; ${source} takes ${allowed.join(', ')}.`);
      }
      const earlier = seen.get(token);
      if (earlier) throw ERR_CONFIG(`${where} repeats the token of ${earlier}: give each token once, with one role.`);
      if (!/^[A-Za-z0-9._@#-]{1,64}$/.test(name)) throw ERR_CONFIG(`${where} has name "${name}": use letters, digits and . _ @ # - (at most 64).`);
      // `local` marks no-token mode and `weft` Weft's own actions in the audit log: a token acting as either would blur who did what.
      if (RESERVED_TOKEN_NAMES.includes(name.toLowerCase()))
        throw ERR_CONFIG(`${where} has name "${name}", which is reserved (it marks no-token mode or Weft itself in the audit log): choose another.`);
      if (names.has(name)) throw ERR_CONFIG(`${where} repeats the name "${name}": each token needs its own name (it is who acts in the audit log).`);
      seen.set(token, where);
      names.add(name);
      out.push({ token, role: roleText as Role, name, source });
    });
  };
  read(apiValue, 'WEFT_API_TOKENS', undefined, roles);
  read(ingestValue, 'WEFT_INGEST_TOKENS', 'ingest', ['ingest']);
  return out;
}

/**
 * Builds the configuration from command-line flags and the environment. The only place that
 * reads `process.env` is the caller, which passes it in.
 */
export function buildConfig(args: ParsedArgs, env: Record<string, string | undefined>, cwd: string): WeftConfig {
  const f = (name: string) => flag(args, name);
  /** A setting's value and where it came from, for its error message: the flag when given, else the variable. */
  const from = (name: string, variable: string): [string | undefined, string] => {
    const given = f(name);
    return given !== undefined ? [given, `--${name}`] : [env[variable], variable];
  };
  /** A duration setting, named in its error as the user gave it (the flag, else the variable). */
  const withDefault = ([value, what]: [string | undefined, string], fallback: string): [string, string] => [value ?? fallback, what];
  const duration = ([value, what]: [string | undefined, string], fallback: string, bound?: DurationBound) => parseDuration(value ?? fallback, what, bound);
  const positiveDuration = ([value, what]: [string | undefined, string], fallback: string, reason: string) =>
    parsePositiveDuration(value ?? fallback, what, reason);
  /** A positive duration that sets a timer: at most MAX_TIMER_MS. */
  const timerDuration = ([value, what]: [string | undefined, string], fallback: string, reason: string) =>
    parsePositiveDuration(value ?? fallback, what, reason, { maxMs: MAX_TIMER_MS, error: () => timerTooLong(what, value) });
  /**
   * A duration kept in whole ms (the store records the pairing windows as UInt64: `--late-arrival 0.5ms` failed every
   * pairing run with "Cannot parse input"); else ERR_CONFIG naming `what`, the value and the nearest ones to write.
   */
  const wholeMs = (ms: number, [value, what]: [string | undefined, string], least = 0) => {
    if (Number.isInteger(ms)) return ms;
    const near = [Math.max(least, Math.floor(ms)), Math.ceil(ms)].filter((n, i, all) => all.indexOf(n) === i).map((n) => `${n}ms`);
    throw ERR_CONFIG(`${what} must be a whole number of milliseconds, got ${quote(value)} (${ms} ms): write ${near.join(' or ')}.`);
  };
  /** `--analyze-every`: a timer's delay, at least MIN_ANALYZE_EVERY_MS. */
  const analyzeEvery = (given: [string | undefined, string], fallback: string) => {
    const ms = timerDuration(given, fallback, 'an analysis every 0 s never rests');
    if (ms < MIN_ANALYZE_EVERY_MS)
      throw ERR_CONFIG(
        `${given[1]} must be 1s or more: an analysis takes hundreds of milliseconds, so a shorter interval runs them back to back; got ${quote(given[0])}. Write 1s or more (the default is 30s).`,
      );
    return ms;
  };
  /** Where a setting came from, for a message: the flag, the variable, or the flag's default. */
  const setBy = (name: string, variable: string) => {
    const [value, what] = from(name, variable);
    return value !== undefined ? what : `the default of --${name}`;
  };
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const optionalAbs = (p: string | undefined) => (p ? abs(p) : undefined);
  const catalogFiles = [...(args.flags.catalog ?? []), ...list(env.WEFT_CATALOG)].map(abs);
  const demoEnabled = f('demo') === 'true' && f('no-demo') !== 'true' && catalogFiles.length === 0;
  // The demo keeps its data apart from the user's own estate (.weft/demo vs .weft/data); --data takes
  // the data directory, or the store path exactly as `weft start` prints it.
  const dataDir = dataDirOf(abs(f('data') ?? env.WEFT_DATA_DIR ?? (demoEnabled ? '.weft/demo' : '.weft')));
  const url = f('clickhouse') ?? env.WEFT_CLICKHOUSE_URL;
  const cluster = f('cluster') ?? env.WEFT_CLICKHOUSE_CLUSTER;
  if (cluster && !url) throw ERR_CONFIG('--cluster needs a ClickHouse server: also pass --clickhouse URL.');
  let store: WeftConfig['store'];
  if (url) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw ERR_CONFIG(`--clickhouse must be a URL like http://user:password@host:8123/database, got "${url}".`);
    }
    store = {
      kind: 'server',
      url: `${parsed.protocol}//${parsed.host}`,
      user: env.WEFT_CLICKHOUSE_USER ?? (decodeURIComponent(parsed.username) || 'default'),
      password: env.WEFT_CLICKHOUSE_PASSWORD ?? decodeURIComponent(parsed.password),
      database: env.WEFT_CLICKHOUSE_DATABASE ?? (parsed.pathname.replace(/^\//, '') || 'default'),
      cluster: cluster || undefined,
    };
  } else {
    store = { kind: 'embedded', path: join(dataDir, 'data') };
  }

  const onlyRaw = list(f('only') ?? env.WEFT_ONLY);
  for (const p of onlyRaw) {
    if (!parts.includes(p as Part)) throw ERR_CONFIG(`--only takes ${parts.join('|')}, got "${p}".`);
  }
  if (onlyRaw.length > 0 && store.kind === 'embedded') {
    throw ERR_CONFIG('--only splits Weft into several processes, which the embedded store cannot share: pass --clickhouse URL too.');
  }

  const collectorHost = f('otlp-host') ?? env.WEFT_OTLP_HOST ?? '127.0.0.1';
  const apiHost = f('host') ?? env.WEFT_HOST ?? '127.0.0.1';
  // Binding beyond loopback without any token (configured or made by `weft token create`) is
  // refused at start by the composition root, which can see the token store (access/binding.ts).
  const tokens = configuredTokens(f('api-tokens') ?? env.WEFT_API_TOKENS, f('ingest-tokens') ?? env.WEFT_INGEST_TOKENS);
  const publicNames = publicNamesOf(f('public-name') ?? env.WEFT_PUBLIC_NAMES);
  const trustedProxies = trustedProxiesOf(f('trusted-proxies') ?? env.WEFT_TRUSTED_PROXIES);

  const faultsFlag = f('faults');
  const demoFaults =
    f('no-faults') === 'true' || faultsFlag === 'false' || faultsFlag === 'none'
      ? false
      : faultsFlag === undefined || faultsFlag === 'true' || faultsFlag === 'all'
        ? true
        : list(faultsFlag);
  const timeScaleText = f('demo-time-scale') ?? env.WEFT_DEMO_TIME_SCALE ?? '1';
  const demoTimeScale = Number(timeScaleText);
  if (!(demoTimeScale > 0)) throw ERR_CONFIG(`--demo-time-scale must be a number above 0 (0.1 runs the demo ten times faster), got "${timeScaleText}".`);

  const [otlpPort, apiPort] = [port(...from('otlp-port', 'WEFT_OTLP_PORT'), 4318), port(...from('port', 'WEFT_PORT'), 3000)];
  // One port for both listeners would fail at start, after the store and the collector are up.
  if (otlpPort !== 0 && otlpPort === apiPort && (collectorHost === apiHost || collectorHost === '0.0.0.0' || apiHost === '0.0.0.0'))
    throw ERR_CONFIG(
      `${setBy('port', 'WEFT_PORT')} and ${setBy('otlp-port', 'WEFT_OTLP_PORT')} are both ${apiPort}: the API and the OTLP collector need a port each.`,
    );

  const collector = collectorSizes(env);

  const retention = {
    rawDays: retentionDays(...from('retention-raw-days', 'WEFT_RETENTION_RAW_DAYS'), 30),
    rollupDays: retentionDays(...from('retention-rollup-days', 'WEFT_RETENTION_ROLLUP_DAYS'), 400),
    recordDays: retentionDays(...from('retention-record-days', 'WEFT_RETENTION_RECORD_DAYS'), 730),
  };
  // A trace waits for the late-arrival window before it is paired: not longer than pairing looks back.
  const lateText = from('late-arrival', 'WEFT_LATE_ARRIVAL')[0] ?? (demoEnabled ? '10s' : DEFAULT_LATE_ARRIVAL);
  const lateBy = setBy('late-arrival', 'WEFT_LATE_ARRIVAL');
  const lateBound: DurationBound = {
    maxMs: MAX_LATE_ARRIVAL_MS,
    error: () =>
      ERR_CONFIG(
        `${lateBy} must be at most 36h: pairing looks for a trace's spans among those that arrived in the last 36 hours (arrivals are kept two days), so a trace waiting longer is never paired; got ${quote(lateText)}.`,
      ),
  };
  const analyzer = {
    intervalMs: analyzeEvery(from('analyze-every', 'WEFT_ANALYZE_EVERY'), demoEnabled ? '10s' : '30s'),
    windowMs: wholeMs(positiveDuration(from('window', 'WEFT_WINDOW'), '24h', 'a window of no time holds no flows'), from('window', 'WEFT_WINDOW'), 1),
    // The demo's traces last a second or two: it seals them sooner, so its faults show within two minutes.
    lateMs: wholeMs(
      duration(from('late-arrival', 'WEFT_LATE_ARRIVAL'), demoEnabled ? '10s' : DEFAULT_LATE_ARRIVAL, lateBound),
      from('late-arrival', 'WEFT_LATE_ARRIVAL'),
    ),
    runGapMs: wholeMs(duration(from('run-gap', 'WEFT_RUN_GAP'), DEFAULT_RUN_GAP), from('run-gap', 'WEFT_RUN_GAP')),
  };
  // A trace waits for the late-arrival window before it is paired: not longer than spans are kept.
  if (analyzer.lateMs > retention.rawDays * DAY_MS) {
    const rawBy = setBy('retention-raw-days', 'WEFT_RETENTION_RAW_DAYS');
    throw ERR_CONFIG(
      `${lateBy} (${lateText.trim()}) is longer than the raw retention (${rawBy}, ${retention.rawDays} ${retention.rawDays === 1 ? 'day' : 'days'}): spans would be deleted before their traces are paired. Shorten ${lateBy} or raise ${rawBy}.`,
    );
  }

  // Longer than the window findings look back over: a trace without its root span (an integration that loses trace
  // context) is paired only once the window it ran in has passed, so the window's flows and findings never count it.
  // Pairing still works (a trace whose root arrived is paired 15 s after its last span, and longer look-backs count
  // every trace): said at start, not refused.
  const warnings: string[] = [];
  if (analyzer.lateMs >= analyzer.windowMs) {
    const windowBy = setBy('window', 'WEFT_WINDOW');
    const windowText = (from('window', 'WEFT_WINDOW')[0] ?? '24h').trim();
    warnings.push(
      `${lateBy} (${lateText.trim()}) is not shorter than ${windowBy} (${windowText}): a trace whose root span does not arrive is paired only after the window it ran in has passed, so the findings over the window never count it. Shorten ${lateBy} or lengthen ${windowBy}.`,
    );
  }

  return {
    warnings,
    dataDir,
    store,
    retention,
    collector: {
      host: collectorHost,
      port: otlpPort,
      spoolDir: abs(f('spool') ?? env.WEFT_SPOOL_DIR ?? join(dataDir, 'spool')),
      spoolMaxBytes: collector.spoolMaxBytes,
      maxBodyBytes: collector.maxBodyBytes,
      batchRows: int(env.WEFT_BATCH_ROWS, 'WEFT_BATCH_ROWS', 50_000),
      // 5 s, an OpenTelemetry SDK's own export delay: a quiet estate's steady trickle is one insert every 5 s, not every
      // second (each insert runs the views and adds a part to merge; `npm run bench:idle`: a demo Weft used 31.8 CPU-s a
      // minute at 1 s, 24.7 at 5 s, 2026-12-04). A busy one seals at WEFT_BATCH_ROWS first.
      batchMaxWaitMs: timerMs(env.WEFT_BATCH_MAX_WAIT_MS, 'WEFT_BATCH_MAX_WAIT_MS', 5000),
      // A burst is stored a second after it ends: a new integration's first trace is not held the whole 5 s.
      batchIdleMs: timerMs(env.WEFT_BATCH_IDLE_MS, 'WEFT_BATCH_IDLE_MS', 1000),
      limits: collectorLimits(env),
    },
    api: {
      host: apiHost,
      port: apiPort,
      traceLinkTemplate: traceLink(...from('trace-link', 'WEFT_TRACE_LINK')),
    },
    access: { tokens, publicNames, trustedProxies },
    catalogFiles,
    analyzer,
    only: onlyRaw.length > 0 ? (onlyRaw as Part[]) : [...parts],
    demo: { enabled: demoEnabled, faults: demoFaults, timeScale: demoTimeScale, propagation: f('no-propagation') !== 'true' },
    alerting: { autoRemediate: f('no-auto-remediation') !== 'true' && onOff(env.WEFT_AUTO_REMEDIATION, 'WEFT_AUTO_REMEDIATION', true) },
    reports: {
      concurrency: atLeastOne(...from('report-exports', 'WEFT_REPORT_EXPORTS'), 1, 'a report must be able to be built'),
      queue: int(...from('report-queue', 'WEFT_REPORT_QUEUE'), 4),
    },
    logLevel: logLevelOf(...withDefault(from('log-level', 'WEFT_LOG_LEVEL'), 'info')),
    catalogEnv: {
      allow: envPolicyList(...from('catalog-env-allow', 'WEFT_CATALOG_ENV_ALLOW')),
      deny: envPolicyList(...from('catalog-env-deny', 'WEFT_CATALOG_ENV_DENY')),
    },
    env: secretsReader(optionalAbs(f('secrets-file') ?? env.WEFT_SECRETS_FILE), env),
  };
}

/**
 * Every WEFT_* variable Weft reads: the configuration's (above), the CLI's (WEFT_TOKEN, WEFT_URL and the demo's
 * WEFT_INGEST_TOKEN), the UI dev server's (WEFT_API) and the test suite's (WEFT_REQUIRE_SERVICES, …).
 */
export const weftVariables: readonly string[] = [
  'WEFT_ANALYZE_EVERY',
  'WEFT_API',
  'WEFT_API_TOKENS',
  'WEFT_ATTRIBUTE_COUNT_LIMIT',
  'WEFT_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'WEFT_AUTO_REMEDIATION',
  'WEFT_BATCH_IDLE_MS',
  'WEFT_BATCH_MAX_WAIT_MS',
  'WEFT_BATCH_ROWS',
  'WEFT_BODY_MAX_TIMEOUT_MS',
  'WEFT_BODY_MIN_BYTES_PER_SECOND',
  'WEFT_BODY_TIMEOUT_MS',
  'WEFT_CATALOG',
  'WEFT_CATALOG_ENV_ALLOW',
  'WEFT_CATALOG_ENV_DENY',
  'WEFT_CLICKHOUSE_CLUSTER',
  'WEFT_CLICKHOUSE_DATABASE',
  'WEFT_CLICKHOUSE_PASSWORD',
  'WEFT_CLICKHOUSE_URL',
  'WEFT_CLICKHOUSE_USER',
  'WEFT_DATA_DIR',
  'WEFT_DEMO_TIME_SCALE',
  'WEFT_HEADERS_TIMEOUT_MS',
  'WEFT_HOST',
  'WEFT_INGEST_TOKEN',
  'WEFT_INGEST_TOKENS',
  'WEFT_LATE_ARRIVAL',
  'WEFT_LOG_LEVEL',
  'WEFT_MAX_ANY_VALUE_DEPTH',
  'WEFT_MAX_BODY_BYTES',
  'WEFT_MAX_EXPANDED_BYTES',
  'WEFT_ONLY',
  'WEFT_OTLP_HOST',
  'WEFT_OTLP_PORT',
  'WEFT_PEER_INFLIGHT_BYTES',
  'WEFT_PORT',
  'WEFT_PUBLIC_NAMES',
  'WEFT_TRUSTED_PROXIES',
  'WEFT_REPORT_EXPORTS',
  'WEFT_REPORT_QUEUE',
  'WEFT_REQUIRE_SERVICES',
  'WEFT_RETENTION_RAW_DAYS',
  'WEFT_RETENTION_RECORD_DAYS',
  'WEFT_RETENTION_ROLLUP_DAYS',
  'WEFT_RUN_GAP',
  'WEFT_SECRETS_FILE',
  'WEFT_SEGMENT_MAX_ATTEMPTS',
  'WEFT_SHOW_SPELLINGS',
  'WEFT_SPOOL_DIR',
  'WEFT_SPOOL_MAX_BYTES',
  'WEFT_TOKEN',
  'WEFT_TRACE_LINK',
  'WEFT_UPDATE_FIXTURES',
  'WEFT_URL',
  'WEFT_WINDOW',
];

/**
 * One warning per WEFT_* variable set in `env` that Weft never reads (`WEFT_PROT`), with the one likely meant:
 * a setting spelt wrong would otherwise have no effect without a word. Names only, never values.
 */
export function unknownWeftVariables(env: Record<string, string | undefined>): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith('WEFT_') && env[name] !== undefined && !weftVariables.includes(name))
    .sort()
    .map((name) => {
      // Compared without the prefix all of them share, which would make any two look alike.
      const meant = closestName(
        name.slice(5),
        weftVariables.map((v) => v.slice(5)),
      );
      return `${name} is set, but Weft reads no such variable${meant === undefined ? '' : ` (did you mean WEFT_${meant}?)`}: it has no effect.`;
    });
}

/**
 * WEFT_MAX_BODY_BYTES and WEFT_SPOOL_MAX_BYTES, checked against each other and against WEFT_MAX_EXPANDED_BYTES and
 * WEFT_PEER_INFLIGHT_BYTES so that a request within the limits can be taken at all. Each refusal below answered every
 * (or every large) request for ever: a body limit of 0 failed the start with fastify's "'bodyLimit' option must be an
 * integer > 0"; an expansion budget of 0 answered 413 to every request; a spool smaller than one request's rows 503
 * "while storage catches up" to it for ever; a peer share smaller than one body 429 "retry" to it for ever.
 */
/** WEFT_SPOOL_MAX_BYTES when it is not set: 512 MiB. */
const SPOOL_MAX_BYTES_DEFAULT = 512 * 1024 * 1024;

function collectorSizes(env: Record<string, string | undefined>): { maxBodyBytes: number; spoolMaxBytes: number } {
  const maxBodyBytes = atLeastOne(env.WEFT_MAX_BODY_BYTES, 'WEFT_MAX_BODY_BYTES', 20 * 1024 * 1024, 'a body limit of 0 takes no request');
  const expanded = atLeastOne(
    env.WEFT_MAX_EXPANDED_BYTES,
    'WEFT_MAX_EXPANDED_BYTES',
    defaultMaxExpandedBytes(maxBodyBytes),
    'a budget of 0 bytes of rows refuses every request with 413',
  );
  const spoolMaxBytes = int(env.WEFT_SPOOL_MAX_BYTES, 'WEFT_SPOOL_MAX_BYTES', SPOOL_MAX_BYTES_DEFAULT);
  const given = (name: string) => env[name] !== undefined && env[name] !== '';
  /** A size for a message: the variable and its value when it is set, else the value and that it is the variable's default. */
  const size = (name: string, bytes: number, defaultIs = '') =>
    given(name) ? `${name}, ${bytes} bytes` : `${bytes} bytes, the default of ${name}, which is not set${defaultIs}`;
  const bodyLimit = size('WEFT_MAX_BODY_BYTES', maxBodyBytes);
  if (spoolMaxBytes < expanded)
    throw ERR_CONFIG(
      `The spool (${size('WEFT_SPOOL_MAX_BYTES', spoolMaxBytes)}) must hold at least the rows one request may expand to (${size('WEFT_MAX_EXPANDED_BYTES', expanded, `: 4 × the body limit (${bodyLimit}), at least 16 MiB`)}): a smaller spool answers 503 to such a request for ever, even when empty. Raise WEFT_SPOOL_MAX_BYTES to at least ${expanded}${
        // A smaller budget is offered only when it still takes a request of ordinary size (16 MiB, the default's floor):
        // "at most 1000" was followed, and 10 spans of an SDK were refused with 413.
        spoolMaxBytes < defaultMaxExpandedBytes(0)
          ? ''
          : `, or set WEFT_MAX_EXPANDED_BYTES to at most ${spoolMaxBytes}${given('WEFT_MAX_EXPANDED_BYTES') ? '' : ` (or WEFT_MAX_BODY_BYTES to at most ${Math.floor(spoolMaxBytes / 4)})`}`
      }.`,
    );
  const peer = env.WEFT_PEER_INFLIGHT_BYTES;
  if (peer !== undefined && peer !== '' && int(peer, 'WEFT_PEER_INFLIGHT_BYTES', 0) < maxBodyBytes)
    throw ERR_CONFIG(
      `WEFT_PEER_INFLIGHT_BYTES must be at least the body limit (${bodyLimit}): a peer that may hold less than one body gets 429 for a large request for ever; got ${quote(peer)}.`,
    );
  return { maxBodyBytes, spoolMaxBytes };
}

/** Collector limits set in the environment (unset ones keep the collector's defaults). */
function collectorLimits(env: Record<string, string | undefined>): Partial<CollectorLimits> {
  const names: [keyof CollectorLimits, string][] = [
    ['attributeCountLimit', 'WEFT_ATTRIBUTE_COUNT_LIMIT'],
    ['attributeValueLengthLimit', 'WEFT_ATTRIBUTE_VALUE_LENGTH_LIMIT'],
    ['maxAnyValueDepth', 'WEFT_MAX_ANY_VALUE_DEPTH'],
    ['maxExpandedBytes', 'WEFT_MAX_EXPANDED_BYTES'],
    ['headersTimeoutMs', 'WEFT_HEADERS_TIMEOUT_MS'],
    ['bodyTimeoutMs', 'WEFT_BODY_TIMEOUT_MS'],
    ['bodyMinBytesPerSecond', 'WEFT_BODY_MIN_BYTES_PER_SECOND'],
    ['bodyMaxTimeoutMs', 'WEFT_BODY_MAX_TIMEOUT_MS'],
    ['peerInflightBytes', 'WEFT_PEER_INFLIGHT_BYTES'],
    ['segmentMaxAttempts', 'WEFT_SEGMENT_MAX_ATTEMPTS'],
  ];
  // Deadlines set timers (the body's) or add up to Node's request timeout (the headers'): each fits a timer.
  const timers = new Set<keyof CollectorLimits>(['headersTimeoutMs', 'bodyTimeoutMs', 'bodyMaxTimeoutMs']);
  const depthError = () =>
    ERR_CONFIG(
      `WEFT_MAX_ANY_VALUE_DEPTH must be 1 to ${MAX_ANY_VALUE_DEPTH}: 0 refuses every array attribute (the OpenTelemetry SDKs send process.command_args as one) and a deeper nesting overflowed the decoder's stack (500 instead of 400); got ${quote(env.WEFT_MAX_ANY_VALUE_DEPTH)}.`,
    );
  const read = (key: keyof CollectorLimits, name: string): number =>
    timers.has(key)
      ? timerMs(env[name], name, 0)
      : key === 'maxAnyValueDepth'
        ? int(env[name], name, 0, { max: MAX_ANY_VALUE_DEPTH, error: depthError })
        : int(env[name], name, 0);
  const out: Partial<CollectorLimits> = {};
  for (const [key, name] of names) if (env[name] !== undefined && env[name] !== '') out[key] = read(key, name);
  for (const [key, name] of [
    ['attributeCountLimit', 'WEFT_ATTRIBUTE_COUNT_LIMIT'],
    ['attributeValueLengthLimit', 'WEFT_ATTRIBUTE_VALUE_LENGTH_LIMIT'],
  ] as const)
    if (out[key] === 0)
      throw ERR_CONFIG(
        `${name} must be 1 or more: 0 drops (or empties) every attribute, service.name and the URLs, queries and hosts included, so every span is stored as unknown_service and touches no system; got "0".`,
      );
  if (out.maxAnyValueDepth === 0) throw depthError();
  return out;
}
