import type { TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import { CatalogFileSchema } from './schema.ts';
import { ProbeSpecSchema, probeKindNames } from './probes.ts';
import { redactUrl } from './secret-fields.ts';
import { closestName, didYouMean } from '../text/index.ts';
import { DURATION_PATTERN, isDuration, parseDuration } from '../time/index.ts';

export interface SchemaProblem {
  segments: Array<string | number>;
  message: string;
  /**
   * 'key' when the key itself is the mistake (an unknown field): the problem is located at the key,
   * not at its value. Otherwise at the value (see `locate` in load.ts for empty and block values).
   */
  at?: 'key';
  /** Set on the one problem of a file that is not a catalog at all: the file's other problems (its YAML's) are moot. */
  notCatalog?: true;
}

const split = (path: string): Array<string | number> =>
  path
    .split('/')
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));

/** Fields whose value may be a credential written in by mistake: a message says what is wrong, never echoes it. */
const CREDENTIAL_FIELD = /^(password|token|dsn|headers)$/;

/** Infinity, -Infinity or NaN: what YAML reads from a number past a double's range (1e400), `.inf` and `.nan`. */
const nonFinite = (v: unknown): v is number => typeof v === 'number' && !Number.isFinite(v);

/**
 * The offending value as a message shows it: credentials are not repeated, URLs lose their passwords, and a number
 * that is not finite is written as such (JSON, which has none, wrote it as null).
 */
function shown(e: ValueError): string {
  const segments = split(e.path);
  if (segments.some((s) => typeof s === 'string' && CREDENTIAL_FIELD.test(s))) return 'a literal value (not repeated here: write env:NAME)';
  if (typeof e.value === 'string') return JSON.stringify(redactUrl(e.value));
  if (nonFinite(e.value)) return String(e.value);
  return JSON.stringify(e.value, (_key, v: unknown) => (nonFinite(v) ? String(v) : v));
}

/** Whether `schema` takes a number (a number or an integer, or a union with one). */
function takesNumber(schema: TSchema): boolean {
  if (schema.type === 'number' || schema.type === 'integer') return true;
  return ((schema as { anyOf?: TSchema[] }).anyOf ?? []).some(takesNumber);
}

/** The allowed words of a union of string literals (`active | deprecated | retired`), else undefined. */
function literals(schema: TSchema): string[] | undefined {
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf;
  if (!anyOf?.length || !anyOf.every((s) => typeof s.const === 'string')) return undefined;
  return anyOf.map((s) => s.const as string);
}

/** "a, b or c" */
const either = (words: string[]) => (words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)}` : (words[0] ?? ''));

function describe(e: ValueError): string {
  const d = e.schema.description as string | undefined;
  const words = e.type === ValueErrorType.Union ? literals(e.schema) : undefined;
  // A number field given 1e400, .inf or .nan: said as that, whatever else the field's limits are.
  if (nonFinite(e.value) && takesNumber(e.schema) && e.type !== ValueErrorType.ObjectAdditionalProperties) {
    return `expected a finite number${d ? ` (${d})` : ''}, got ${e.value}: YAML reads a number too large for a double (such as 1e400) and .inf as Infinity, and .nan as NaN`;
  }
  // An empty value (`lifecycle:` with nothing after it) reads as null: say it has none, not "got null".
  if (e.value === null && e.type !== ValueErrorType.ObjectAdditionalProperties) {
    return `no value given; expected ${d ?? (words ? either(words) : e.message.replace(/^Expected /, ''))}`;
  }
  switch (e.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      return '';
    case ValueErrorType.ObjectRequiredProperty: {
      return `missing required field${d ? `; expected ${d}` : ''}`;
    }
    case ValueErrorType.Union:
      if (words) return `expected ${d ?? either(words)}, got ${shown(e)}${typeof e.value === 'string' ? didYouMean(e.value, words) : ''}`;
      return `expected ${d ?? 'one of the allowed forms'}, got ${shown(e)}`;
    case ValueErrorType.StringPattern:
      return `expected ${d ?? `text matching ${e.schema.pattern}`}, got ${shown(e)}`;
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.NumberExclusiveMinimum:
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.IntegerMaximum:
      return `${e.message.replace(/^Expected/, 'expected')}${d ? ` (${d})` : ''}, got ${shown(e)}`;
    default:
      return `${e.message.replace(/^Expected/, 'expected')}${d ? ` (${d})` : ''}${e.value === undefined ? '' : `, got ${shown(e)}`}`;
  }
}

function probeVariant(item: unknown): TSchema | undefined {
  const kind = (item as { kind?: unknown })?.kind;
  return ProbeSpecSchema.anyOf.find((s) => (s.properties.kind as { const?: unknown }).const === kind);
}

/** The value at a JSON pointer's segments (undefined where there is none). */
function valueAt(value: unknown, segments: Array<string | number>): unknown {
  let v = value;
  for (const s of segments) v = typeof v === 'object' && v !== null && Object.hasOwn(v, s) ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

/**
 * The field an unknown key most likely meant: of the fields the object may hold, one it lacks is
 * preferred (`sytemOfRecord` beside no `systemOfRecord`), else any (`hosts` written twice as `host`).
 */
function meantField(key: string, allowed: string[], present: object): string | undefined {
  const synonym = FIELD_SYNONYMS.get(key.toLowerCase())?.find((f) => allowed.includes(f));
  if (synonym !== undefined) return synonym;
  return (
    closestName(
      key,
      allowed.filter((a) => !Object.hasOwn(present, a)),
    ) ?? closestName(key, allowed)
  );
}

/**
 * Names other catalogs and tools give Weft's fields (`from`/`to` of a flow, a system's `type`, a
 * `team` for its owner): not misspellings, so no edit distance finds them. Each maps to the fields it
 * may mean, the first one the object allows being said.
 */
const FIELD_SYNONYMS: ReadonlyMap<string, readonly string[]> = new Map([
  ['from', ['source']],
  ['src', ['source']],
  ['producer', ['source']],
  ['to', ['target']],
  ['dst', ['target']],
  ['dest', ['target']],
  ['destination', ['target']],
  ['consumer', ['target']],
  ['team', ['owner']],
  ['type', ['kind']],
  ['desc', ['description']],
  ['tags', ['labels']],
]);

/**
 * The keys of a map (`Type.Record` with a key pattern) that break its key rule, each a problem at the
 * key: `name "bad-key" is not allowed: …` with the schema's `propertyNames` description (or its pattern).
 */
function keysBreakingRule(schema: TSchema, map: unknown, at: Array<string | number>): SchemaProblem[] {
  const [pattern] = Object.keys((schema as { patternProperties?: object }).patternProperties ?? {});
  if (pattern === undefined || typeof map !== 'object' || map === null) return [];
  // eslint-disable-next-line no-restricted-syntax -- the catalog schema's own key pattern, checked with every schema pattern (test/regexp-worst-case.test.ts)
  const rule = new RegExp(pattern);
  const names = (schema as { propertyNames?: { description?: unknown } }).propertyNames?.description;
  const described = typeof names === 'string' ? `: ${names}` : `: a name matching ${pattern}`;
  return Object.keys(map)
    .filter((key) => !rule.test(key))
    .map((key) => ({ segments: [...at, key], at: 'key' as const, message: `name "${key}" is not allowed${described}` }));
}

function errorsOf(schema: TSchema, value: unknown, prefix: Array<string | number>): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  // A required field reported missing where an unknown key in the same object is its misspelling is
  // one mistake, said once at that key ("did you mean …?"): keyed by the object's path, the meant fields.
  const misspelled = new Map<string, Set<string>>();
  const missing: Array<{ object: string; field: string; problem: SchemaProblem }> = [];
  for (const e of Value.Errors(schema, value)) {
    const segments = [...prefix, ...split(e.path)];
    if (e.type === ValueErrorType.ObjectAdditionalProperties && (e.schema as { patternProperties?: object }).patternProperties) {
      // A map whose keys follow a rule (alert labels): TypeBox names the first key that breaks it;
      // every such key is said, each at itself.
      out.push(...keysBreakingRule(e.schema, valueAt(value, split(e.path).slice(0, -1)), segments.slice(0, -1)));
      continue;
    }
    if (e.type === ValueErrorType.ObjectAdditionalProperties) {
      const allowed = Object.keys((e.schema as { properties?: object }).properties ?? {});
      const key = String(segments[segments.length - 1]);
      const owner = valueAt(value, split(e.path).slice(0, -1));
      const meant = meantField(key, allowed, typeof owner === 'object' && owner !== null ? owner : {});
      if (meant !== undefined) {
        const object = segments.slice(0, -1).join('/');
        misspelled.set(object, (misspelled.get(object) ?? new Set()).add(meant));
      }
      const hint = meant === undefined ? '' : ` (did you mean "${meant}"?)`;
      out.push({ segments, at: 'key', message: `unknown field "${key}"${hint}; expected one of: ${allowed.join(', ')}` });
      continue;
    }
    if (segments[0] === 'probes' && segments.length === 2 && e.type === ValueErrorType.Union) {
      const item = (value as { probes?: unknown[] })?.probes?.[segments[1] as number];
      const variant = probeVariant(item);
      if (variant) {
        out.push(...errorsOf(variant, item, segments));
      } else {
        const kind = (item as { kind?: unknown })?.kind;
        out.push({
          segments: [...segments, 'kind'],
          message:
            kind === undefined || kind === null
              ? `no probe kind given; expected kind: ${either([...probeKindNames])}`
              : `expected a probe kind: ${either([...probeKindNames])}, got ${JSON.stringify(kind)}${typeof kind === 'string' ? didYouMean(kind, probeKindNames) : ''}`,
        });
      }
      continue;
    }
    const key = segments.join('/');
    if (seen.has(key)) continue;
    seen.add(key);
    const problem = { segments, message: describe(e) };
    if (e.type === ValueErrorType.ObjectRequiredProperty) missing.push({ object: segments.slice(0, -1).join('/'), field: String(segments.at(-1)), problem });
    out.push(problem);
  }
  const said = new Set(missing.filter((m) => misspelled.get(m.object)?.has(m.field)).map((m) => m.problem));
  return out.filter((p) => !said.has(p));
}

/**
 * Schema problems of one catalog file (after defaults were filled), one per field. A file none of whose top-level fields
 * is a catalog's (a package.json, a Kubernetes manifest given by mistake) is one problem at its first field, not one per
 * field: "not a Weft catalog". A file whose fields include a misspelled catalog field gets the field's own problems.
 */
export function schemaProblems(value: unknown): SchemaProblem[] {
  const known = Object.keys(CatalogFileSchema.properties);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    // A key that is a catalog field misspelled, or another tool's name for one (`system`, `components`), is said as such.
    if (keys.length > 0 && !keys.some((k) => known.includes(k) || meantField(k, known, value) !== undefined)) {
      const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', …' : '');
      return [
        {
          segments: [keys[0]],
          at: 'key',
          notCatalog: true,
          message: `not a Weft catalog: none of its top-level fields (${shown}) is a catalog's; a catalog has some of: ${known.join(', ')} (docs/catalog.md)`,
        },
      ];
    }
  }
  const all = [...errorsOf(CatalogFileSchema, value, []), ...durationProblems(CatalogFileSchema, value, [])];
  const seen = new Set<string>();
  return all.filter((p) => {
    const key = `${p.segments.join('/')}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Durations that have a duration's shape but that Weft cannot use: longer than the longest it accepts (100 years), or
 * a text too long to read. The pattern alone lets "99999999w" through, and the parts that read it later (alerting's
 * evaluation, a route's pacing, staleness) would fail on every run instead of the catalog failing once, here. Walks the
 * schema beside the value: every string whose schema is a duration is parsed.
 */
function durationProblems(schema: TSchema, value: unknown, at: Array<string | number>): SchemaProblem[] {
  const out = new Map<string, SchemaProblem>();
  const walk = (s: TSchema, v: unknown, path: Array<string | number>) => {
    const x = s as {
      type?: string;
      pattern?: string;
      properties?: Record<string, TSchema>;
      items?: TSchema;
      anyOf?: TSchema[];
      patternProperties?: Record<string, TSchema>;
    };
    if (typeof v === 'string' && x.type === 'string' && x.pattern === DURATION_PATTERN && v === v.trim() && isDuration(v)) {
      try {
        parseDuration(v, 'a duration');
      } catch (err) {
        const key = path.join('/');
        if (!out.has(key)) out.set(key, { segments: path, message: (err as Error).message });
      }
      return;
    }
    if (x.anyOf) for (const variant of x.anyOf) walk(variant, v, path);
    if (Array.isArray(v) && x.items) v.forEach((item, i) => walk(x.items as TSchema, item, [...path, i]));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const [k, sub] of Object.entries(x.properties ?? {})) if (Object.hasOwn(v, k)) walk(sub, (v as Record<string, unknown>)[k], [...path, k]);
      const values = Object.values(x.patternProperties ?? {});
      if (values.length === 1) for (const [k, item] of Object.entries(v)) walk(values[0], item, [...path, k]);
    }
  };
  walk(schema, value, at);
  return [...out.values()];
}
