import type { TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import { CatalogFileSchema } from './schema.ts';
import { ProbeSpecSchema } from './probes.ts';
import { redactUrl } from './secret-fields.ts';

export interface SchemaProblem {
  segments: Array<string | number>;
  message: string;
}

const split = (path: string): Array<string | number> =>
  path
    .split('/')
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));

/** Fields whose value may be a credential written in by mistake: a message says what is wrong, never echoes it. */
const CREDENTIAL_FIELD = /^(password|token|dsn|headers)$/;

/** The offending value as a message shows it: credentials are not repeated, URLs lose their passwords. */
function shown(e: ValueError): string {
  const segments = split(e.path);
  if (segments.some((s) => typeof s === 'string' && CREDENTIAL_FIELD.test(s))) return 'a literal value (not repeated here: write env:NAME)';
  if (typeof e.value === 'string') return JSON.stringify(redactUrl(e.value));
  return JSON.stringify(e.value);
}

function describe(e: ValueError): string {
  const d = e.schema.description as string | undefined;
  switch (e.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      return '';
    case ValueErrorType.ObjectRequiredProperty: {
      return `missing required field${d ? `; expected ${d}` : ''}`;
    }
    case ValueErrorType.Union:
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

function errorsOf(schema: TSchema, value: unknown, prefix: Array<string | number>): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, value)) {
    const segments = [...prefix, ...split(e.path)];
    if (e.type === ValueErrorType.ObjectAdditionalProperties) {
      const allowed = Object.keys((e.schema as { properties?: object }).properties ?? {});
      const key = String(segments[segments.length - 1]);
      out.push({ segments, message: `unknown field "${key}"; expected one of: ${allowed.join(', ')}` });
      continue;
    }
    if (segments[0] === 'probes' && segments.length === 2 && e.type === ValueErrorType.Union) {
      const item = (value as { probes?: unknown[] })?.probes?.[segments[1] as number];
      const variant = probeVariant(item);
      if (variant) {
        out.push(...errorsOf(variant, item, segments));
      } else {
        out.push({
          segments: [...segments, 'kind'],
          message: `expected a probe kind: sql, http, amqp-queue or nats-consumer, got ${JSON.stringify((item as { kind?: unknown })?.kind)}`,
        });
      }
      continue;
    }
    const key = segments.join('/');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ segments, message: describe(e) });
  }
  return out;
}

/** Schema problems of one catalog file (after defaults were filled), one per field. */
export function schemaProblems(value: unknown): SchemaProblem[] {
  const all = errorsOf(CatalogFileSchema, value, []);
  const seen = new Set<string>();
  return all.filter((p) => {
    const key = `${p.segments.join('/')}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
