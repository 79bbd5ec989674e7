import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log/logger.ts';
import { buildApiApp, type ApiApp } from './app.ts';
import { queryKeyProblem } from './query-keys.ts';

interface Operation {
  method: string;
  /** The route as fastify names it in messages: `/api/v1/flows/:id/series`. */
  route: string;
  /** A URL that reaches it: path parameters filled with a value every id pattern accepts. */
  url: string;
  query: string[];
}

/** Every operation of the OpenAPI document that declares query parameters. */
function operationsWithQuery(doc: { paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      if (query.length === 0) continue;
      out.push({ method: method.toUpperCase(), route: path.replace(/\{(\w+)\}/g, ':$1'), url: path.replace(/\{\w+\}/g, 'abcdefabcd'), query });
    }
  }
  return out;
}

describe('query parameters a route does not take, or takes once', () => {
  let app: ApiApp;
  let operations: Operation[];
  const get = async (url: string, method = 'GET') => {
    const r = await app.inject({ method: method as 'GET', url });
    return { status: r.statusCode, message: String(r.json().message) };
  };

  beforeAll(async () => {
    app = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, logger: silentLogger(), services: { store: undefined as never } });
    await app.ready();
    operations = operationsWithQuery(app.swagger() as never);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('walks every route that takes query parameters', () => {
    expect(operations.map((o) => `${o.method} ${o.route}`)).toEqual(
      expect.arrayContaining([
        'GET /api/v1/alerts',
        'GET /api/v1/alerts/backtest',
        'GET /api/v1/alerts/deliveries',
        'GET /api/v1/alerts/history',
        'GET /api/v1/audit',
        'GET /api/v1/audit-log',
        'GET /api/v1/drift',
        'GET /api/v1/findings',
        'GET /api/v1/flows/:id/series',
        'GET /api/v1/graph',
        'GET /api/v1/hops',
        'GET /api/v1/inventory/domains',
        'GET /api/v1/inventory/flows',
        'GET /api/v1/inventory/owners',
        'GET /api/v1/inventory/systems',
        'GET /api/v1/probes/:id/samples',
        'GET /api/v1/reconciliations/:id/runs',
        'GET /api/v1/remediations',
      ]),
    );
  });

  // regression: `?severity=high&severity=low` was answered 'Invalid querystring field "severity": must be string'
  it('says a parameter given twice must be given once, naming it, on every route', async () => {
    expect(await get('/api/v1/findings?severity=high&severity=low')).toEqual({
      status: 400,
      message: 'Query parameter "severity" (2 times) given more than once for GET /api/v1/findings; give it once.',
    });
    for (const op of operations) {
      for (const name of op.query) {
        const r = await get(`${op.url}?${name}=1&${name}=2`, op.method);
        expect(r.status, `${op.route} ${name}`).toBe(400);
        expect(r.message, `${op.route} ${name}`).toBe(`Query parameter "${name}" (2 times) given more than once for ${op.method} ${op.route}; give it once.`);
      }
    }
    expect((await get('/api/v1/findings?kind=x&severity=high&kind=y&limit=1&limit=2&limit=3')).message).toBe(
      'Query parameters "kind" (2 times) and "limit" (3 times) given more than once for GET /api/v1/findings; give each once.',
    );
  });

  // regression: of several unknown parameters, only the first was named
  it('names every unknown parameter in one message, on every route', async () => {
    for (const op of operations) {
      const r = await get(`${op.url}?sevrity=high&domian=customer&x[]=1`, op.method);
      expect(r.status, op.route).toBe(400);
      const meant = (name: string) => (op.query.includes(name) ? ` (did you mean "${name}"?)` : '');
      expect(r.message, op.route).toBe(
        `Unknown query parameters "sevrity"${meant('severity')}, "domian"${meant('domain')} and "x[]" for ${op.method} ${op.route}; it takes ${op.query.join(', ')}.`,
      );
    }
    expect((await get('/api/v1/drift?domian=customer')).message).toBe(
      'Unknown query parameter "domian" (did you mean "domain"?) for GET /api/v1/drift; it takes domain.',
    );
    const many = Array.from({ length: 13 }, (_, i) => `p${i}=1`).join('&');
    expect((await get(`/api/v1/graph?${many}`)).message).toBe(
      'Unknown query parameters "p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9" and 3 more for GET /api/v1/graph; it takes since.',
    );
  });

  it('names unknown and repeated parameters together', async () => {
    expect(await get('/api/v1/findings?sevrity=high&status=open&status=resolved&__proto__=x')).toEqual({
      status: 400,
      message:
        'Unknown query parameters "sevrity" (did you mean "severity"?) and "__proto__" for GET /api/v1/findings; it takes kind, severity, status, subject, limit. ' +
        'Query parameter "status" (2 times) given more than once for GET /api/v1/findings; give it once.',
    });
  });

  // Regression: `GET /api/v1/reports?limit=5` answered every report, as if the limit held: a route that declares
  // no query parameters dropped whatever it was sent.
  it('refuses any query parameter on an API route that takes none', async () => {
    expect(await get('/api/v1/reports?limit=5')).toEqual({ status: 400, message: 'Unknown query parameter "limit" for GET /api/v1/reports; it takes none.' });
    expect(await get('/api/v1/catalog?x=1&y=2')).toEqual({
      status: 400,
      message: 'Unknown query parameters "x" and "y" for GET /api/v1/catalog; it takes none.',
    });
  });

  // Regression: `?failOn=hi` was answered 'must be equal to constant': TypeBox writes a closed set as a union of constants.
  it('answers a value outside a closed set with the values it takes and the one likely meant', async () => {
    expect(await get('/api/v1/audit?failOn=hgih')).toEqual({
      status: 400,
      message: 'Invalid querystring field "failOn": expected one of info, low, medium, high, critical, got "hgih" (did you mean "high"?).',
    });
    expect((await get('/api/v1/audit?failOn=fatal')).message).toBe(
      'Invalid querystring field "failOn": expected one of info, low, medium, high, critical, got "fatal".',
    );
  });

  // Regression: the validator read ?limit=0x10 as 16, ?limit=1e2 as 100 and ?limit=%20 as 0 (then "must be >= 1").
  it('takes a number parameter in decimal digits only', async () => {
    for (const [given, shownValue] of [
      ['0x10', '0x10'],
      ['1e2', '1e2'],
      ['%20', ' '],
      ['10abc', '10abc'],
    ])
      expect(await get(`/api/v1/findings?limit=${given}`), given).toEqual({
        status: 400,
        message: `Invalid querystring field "limit": expected a whole number in decimal digits, got ${JSON.stringify(shownValue)}.`,
      });
  });

  it('lets a parameter whose schema is a list be repeated', () => {
    const properties = { tag: Type.Array(Type.String()), either: Type.Union([Type.String(), Type.Array(Type.String())]), one: Type.String() };
    expect(queryKeyProblem({ tag: ['a', 'b'], either: ['a', 'b'], one: 'x' }, properties, 'GET /x')).toBeUndefined();
    expect(queryKeyProblem({ one: ['a', 'b'] }, properties, 'GET /x')).toMatch(/^Query parameter "one" \(2 times\)/);
  });
});
