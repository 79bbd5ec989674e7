import { describe, expect, it } from 'vitest';
import { parseJsonBody, repeatedKey } from './json-body.ts';

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

  // Regression: `{"duration": "1h", "duration": "2h"}` made a 2-hour silence, `{"since": "1h", "since": "2h"}` a 2-hour
  // report: JSON.parse keeps the last of a repeated key without a word (RFC 8259 §4 leaves it undefined).
  it('refuses a key given twice in one object, at any depth, and only then', () => {
    expect(() => parseJsonBody('{"matchers":["a=b"],"duration":"1h","duration":"2h","comment":"t"}')).toThrow(
      'The JSON body gives the key "duration" twice in one object (JSON.parse would keep the last): give it once.',
    );
    expect(repeatedKey('{"a":{"b":1,"b":1}}')).toBe('b');
    expect(repeatedKey('{"\\u0061":1,"a":2}')).toBe('a');
    expect(repeatedKey('{"k":"\\\\","k":1}')).toBe('k');
    expect(repeatedKey('{"a":[1,2],"b":"a","a":0}')).toBe('a');
    for (const fine of ['{"a":1,"b":2}', '{"a":{"b":1,"c":[{"b":2},{"b":3}]},"b":{"x":"a\\"b","y":"a\\"b"}}', '[{"k":1},{"k":2}]', '["a","a"]', '"a"', '{}'])
      expect(repeatedKey(fine), fine).toBeUndefined();
  });
});

// Regression (break test): POST /api/v1/findings/ID/ack with {"note":"\ud800"} answered 500: JSON.parse takes a lone
// surrogate escape, and the store (which reads rows as JSON text) refused the row. Every body is checked when parsed.
describe('a lone UTF-16 surrogate in a JSON body', () => {
  it('is refused with 400 naming where it is, in values and keys at any depth', () => {
    expect(() => parseJsonBody('{"note":"x\\ud800"}')).toThrow(/lone UTF-16 surrogate .* in "note", which is not Unicode text/);
    expect(() => parseJsonBody('{"matchers":["a=b","c=\\udc00"]}')).toThrow(/in "matchers\[1\]"/);
    expect(() => parseJsonBody('{"a":{"\\udbff":1}}')).toThrow(/in "a\.\udbff"/);
    expect(() => parseJsonBody('"\\ud800"')).toThrow(/in its value/);
    expect(() => parseJsonBody('{"note":"\\ud800"}')).toThrow(expect.objectContaining({ statusCode: 400 }));
  });

  it('lets a whole pair (an emoji) and other escapes through', () => {
    expect(parseJsonBody('{"note":"\\ud83d\\ude00 \\u0000 \\u001b"}')).toEqual({ note: '\u{1F600} \u0000 \u001b' });
  });
});
