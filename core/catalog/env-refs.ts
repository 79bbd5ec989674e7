/**
 * `env:NAME` references in the catalog: which variables a catalog may name, and where the
 * references are. Weft's own configuration (every `WEFT_*` variable: API and ingest tokens, the
 * ClickHouse password) can never be named; operators narrow the rest with an allow-list and a
 * deny-list of glob patterns (`WEFT_CATALOG_ENV_ALLOW=CRM_*,ERP_*`, `WEFT_CATALOG_ENV_DENY=AWS_*`).
 */

import { shown } from '../text/shown.ts';
import { nameMatches } from '../text/wildcard.ts';

/** Which environment variables a catalog's `env:NAME` references may read. Patterns: `*` matches any run of characters. */
export interface EnvPolicy {
  /** When not empty, only names matching one of these patterns may be read. */
  allow: readonly string[];
  /** Names matching one of these may never be read (checked after `allow`; letter case ignored). */
  deny: readonly string[];
}

/** Always refused, whatever the configuration says: Weft's own settings and secrets. */
export const RESERVED_ENV_PATTERNS: readonly string[] = ['WEFT_*'];

/** No allow-list, no extra deny-list: everything but `WEFT_*`. */
export const defaultEnvPolicy: EnvPolicy = { allow: [], deny: [] };

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** An `env:NAME` reference anywhere in a text (a header value, a URL's query). */
const REF = /env:([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Whether `name` matches the glob `pattern` (`*` any run of characters, `nameMatches`); `ignoreCase` for the deny-list,
 * both sides upper-cased as a case-insensitive regular expression compares them.
 */
function globMatch(pattern: string, name: string, ignoreCase = false): boolean {
  return ignoreCase ? nameMatches(name.toUpperCase(), pattern.toUpperCase()) : nameMatches(name, pattern);
}

/**
 * Why `name` may not be read under `policy`, or undefined when it may. The message names the
 * variable and the rule, never a value.
 */
export function envRefRefusal(name: string, policy: EnvPolicy = defaultEnvPolicy): string | undefined {
  // A name is shown cut to 100 characters: a catalog may name a long one (the whole was echoed, 60,000 characters).
  const shownName = name.length > 100 ? `${name.slice(0, 100)}…` : name;
  if (!ENV_NAME.test(name)) return `${shown(name)} is not an environment variable name`;
  if (RESERVED_ENV_PATTERNS.some((p) => globMatch(p, name.toUpperCase()))) {
    return `env:${shownName} names one of Weft's own settings (WEFT_*), which a catalog may never read: put the credential in a variable of its own`;
  }
  if (policy.allow.length > 0 && !policy.allow.some((p) => globMatch(p, name))) {
    return `env:${shownName} is not in the allow-list of variables a catalog may read (WEFT_CATALOG_ENV_ALLOW=${policy.allow.join(',')})`;
  }
  // The deny-list errs on the side of refusing: `AWS_*` keeps out `aws_secret_access_key` too. The allow-list
  // matches exactly, so it never lets in more than it names.
  const denied = policy.deny.find((p) => globMatch(p, name, true));
  if (denied) return `env:${shownName} matches "${denied}" in the deny-list of variables a catalog may not read (WEFT_CATALOG_ENV_DENY)`;
  return undefined;
}

/**
 * Every `env:NAME` in a text, in order, also where it is percent-encoded (`?key=env%3ANAME`): a URL's query
 * values are decoded before their references are resolved, so they are checked decoded too.
 */
export function envRefsIn(text: string): string[] {
  const names = [...text.matchAll(REF)].map((m) => m[1]);
  if (text.includes('%')) {
    let decoded = text;
    try {
      decoded = decodeURIComponent(text);
    } catch {
      // Not valid percent-encoding: nothing decodes to a reference.
    }
    for (const m of decoded.matchAll(REF)) if (!names.includes(m[1])) names.push(m[1]);
  }
  return names;
}

/** Every string in a catalog entry that holds a reference, with its field path ("headers.authorization"). */
export function envRefFields(value: unknown, path: Array<string | number> = []): Array<{ path: Array<string | number>; names: string[] }> {
  if (typeof value === 'string') {
    const names = envRefsIn(value);
    return names.length > 0 ? [{ path, names }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => envRefFields(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => envRefFields(v, [...path, k]));
  return [];
}

/**
 * The catalog sections whose `env:NAME` references Weft resolves when it uses them: probe and
 * reconciliation credentials, receiver URLs, headers and SMTP passwords, remediation requests, report SMTP URLs.
 */
export const SECTIONS_WITH_ENV_REFS = ['probes', 'reconciliations', 'receivers', 'remediations', 'reports'] as const;

/**
 * Every `env:NAME` in those sections that `policy` refuses, as `{ path: "receivers[0].headers.authorization", message }`:
 * the same rule the probes, alerting and reports apply when they resolve a reference, checked when the catalog is read.
 */
export function envPolicyProblems(
  catalog: Partial<Record<(typeof SECTIONS_WITH_ENV_REFS)[number], readonly unknown[]>>,
  policy: EnvPolicy = defaultEnvPolicy,
): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  for (const section of SECTIONS_WITH_ENV_REFS) {
    (catalog[section] ?? []).forEach((entry, i) => {
      for (const field of envRefFields(entry)) {
        for (const name of field.names) {
          const refusal = envRefRefusal(name, policy);
          if (refusal) out.push({ path: `${section}[${i}]${field.path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}`, message: refusal });
        }
      }
    });
  }
  return out;
}

/** Splits `A,B*` into patterns; an invalid pattern is reported by the caller. */
export function envPatterns(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export const ENV_PATTERN = /^[A-Za-z0-9_*]+$/;
