import { describe, expect, it } from 'vitest';
import { parseJsonBody } from './json-body.ts';

describe('parseJsonBody', () => {
  it('parses JSON, and an empty body is no body', () => {
    expect(parseJsonBody('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(parseJsonBody('  ')).toBeUndefined();
  });

  it('regression: a __proto__ key is refused saying why (it was "Body is not valid JSON")', () => {
    for (const body of ['{"__proto__":{"admin":true}}', '{"a":{"__proto__":1}}', '{"constructor":{"prototype":{"x":1}}}']) {
      expect(() => parseJsonBody(body), body).toThrow(/\(prototype poisoning\); rename or remove that key/);
    }
    // The words alone are fine as values and as ordinary keys.
    expect(parseJsonBody('{"note":"__proto__","constructor":"x"}')).toEqual({ note: '__proto__', constructor: 'x' });
  });

  it('says where a syntax error is', () => {
    expect(() => parseJsonBody('{"a":')).toThrow(/^The body is not valid JSON: .+\.$/);
  });
});
