import { describe, expect, it } from 'vitest';
import { countAt, parseJsonPath } from './json-path.ts';
import { jsonShape } from './shape.ts';

describe('parseJsonPath', () => {
  it('reads names, indexes and quoted names', () => {
    expect(parseJsonPath("$.data['the items'][2].n")).toEqual(['data', 'the items', 2, 'n']);
  });
  it('names the position it cannot read', () => {
    expect(() => parseJsonPath('$.a..b')).toThrow(/position 3/);
  });
});

describe('countAt', () => {
  const doc = { data: { items: [1, 2, 3] }, total: '17', meta: { note: 'x' }, none: null };
  it('counts arrays and reads numbers and numeric strings', () => {
    expect(countAt(doc, '$.data.items')).toEqual({ ok: true, value: 3 });
    expect(countAt(doc, '$.total')).toEqual({ ok: true, value: 17 });
  });
  it('explains what it found instead of a count', () => {
    expect(countAt(doc, '$.meta.note')).toEqual({ ok: false, reason: '$.meta.note is "x", not a count' });
    expect(countAt(doc, '$.data.rows')).toEqual({ ok: false, reason: '$.data.rows is missing from the response' });
    expect(countAt(doc, '$.none.x')).toEqual({ ok: false, reason: '$.none is null, not an object or array' });
  });
});

describe('jsonShape', () => {
  it('keeps keys sorted and merges array element shapes', () => {
    expect(jsonShape({ b: [1, 2, { x: true }], a: 'x' })).toEqual({ a: 'string', b: ['number', { x: 'boolean' }] });
  });

  // Regression: keys of a probed document were written into a plain object, so "__proto__" vanished from the shape.
  it('keeps "__proto__" and "constructor" keys of a probed document as keys', () => {
    const doc = JSON.parse('{"__proto__": {"x": 1}, "constructor": "c"}') as unknown;
    expect(JSON.stringify(jsonShape(doc))).toBe('{"__proto__":{"x":"number"},"constructor":"string"}');
  });
});

describe('countAt, own properties only', () => {
  it("does not read Object's prototype through a path", () => {
    expect(countAt({ total: 3 }, '$.constructor')).toMatchObject({ ok: false });
    expect(countAt({ items: [1, 2] }, '$.items')).toEqual({ ok: true, value: 2 });
  });
});
