import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';
import { ERR_BAD_REQUEST, ERR_JSON_CHARSET, defineError } from '../core/errors/index.ts';
import { jsonValueCount } from '../core/text/index.ts';

/**
 * Body bytes per object or array a JSON body may hold at its route's body limit (`installJsonParser`): requests as
 * clients write them spend 20 bytes or more on each (keys, values, punctuation); `[{},{},…]` spends 3.
 */
export const BYTES_PER_JSON_VALUE = 16;

/** A JSON body holding more objects and arrays than its route's share (413). */
export const ERR_JSON_TOO_MANY_VALUES = defineError(
  'WEFT_ERR_TOO_LARGE',
  413,
  (max: number) => `The JSON body holds more than ${max} objects and arrays (its size limit / ${BYTES_PER_JSON_VALUE}): send less in one request.`,
);

/**
 * Parses a JSON request body the way fastify does (prototype poisoning refused: a `__proto__` key, or
 * `constructor.prototype`, anywhere in the body), but says which of the two went wrong: a syntax error
 * with its position, or the forbidden key, so the sender knows what to change. An empty body is no body:
 * writes must say `Content-Type: application/json` (a cross-site form cannot), and a write with nothing
 * to say may send it without a body. Throws WEFT_ERR_BAD_REQUEST (400), or ERR_JSON_TOO_MANY_VALUES (413) for a
 * body of more than `maxValues` objects and arrays, counted before it is parsed: 8 KiB of gzip holding
 * `[{},{},…]` (8 MiB inflated, the lineage route's limit) took 33 s and 2.8 GiB to parse and answer.
 */
export function parseJsonBody(text: string, maxValues = Infinity): unknown {
  if (text.trim() === '') return undefined;
  if (jsonValueCount(text, maxValues) > maxValues) throw ERR_JSON_TOO_MANY_VALUES(maxValues);
  let value: unknown;
  try {
    value = sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    const message = (err as Error).message;
    if (/prototype property/i.test(message))
      throw ERR_BAD_REQUEST(
        'The JSON body has a "__proto__" or "constructor.prototype" key, which is refused (prototype poisoning); rename or remove that key.',
      );
    throw ERR_BAD_REQUEST(`The body is not valid JSON: ${message}.`);
  }
  const broken = loneSurrogateAt(value, '');
  if (broken !== undefined)
    throw ERR_BAD_REQUEST(
      `The JSON body has a lone UTF-16 surrogate (a \\uD800-\\uDFFF escape without its pair) in ${broken === '' ? 'its value' : `"${broken.slice(0, 100)}"`}, which is not Unicode text: send the character whole, or leave it out.`,
    );
  const twice = repeatedKey(text);
  if (twice !== undefined)
    throw ERR_BAD_REQUEST(
      `The JSON body gives the key ${JSON.stringify(twice.slice(0, 100))} twice in one object (JSON.parse would keep the last): give it once.`,
    );
  return value;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Where in a parsed body (`note`, `matchers[0]`, a key's own path) a string holds a lone surrogate, or undefined.
 * JSON.parse takes `"\uD800"`; what is stored (ClickHouse reads it as JSON text and refuses it) or sent on may not.
 */
export function loneSurrogateAt(value: unknown, path: string): string | undefined {
  // Walked without recursion (a body may nest thousands deep; its route refuses that with its own message), each
  // entry keeping its parent, so a path is spelled out only for the string found.
  interface Entry {
    value: unknown;
    step: string;
    parent: Entry | null;
  }
  const pathOf = (e: Entry): string => {
    const steps: string[] = [];
    for (let at: Entry | null = e; at; at = at.parent) steps.push(at.step);
    return steps.reverse().reduce((p, step) => (step.startsWith('[') || p === '' ? p + step : `${p}.${step}`), '');
  };
  const stack: Entry[] = [{ value, step: path, parent: null }];
  while (stack.length > 0) {
    const e = stack.pop() as Entry;
    if (typeof e.value === 'string') {
      if (LONE_SURROGATE.test(e.value)) return pathOf(e);
    } else if (Array.isArray(e.value)) {
      for (let i = e.value.length - 1; i >= 0; i--) stack.push({ value: e.value[i], step: `[${i}]`, parent: e });
    } else if (e.value !== null && typeof e.value === 'object') {
      const entries: Array<[string, unknown]> = Object.entries(e.value as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i];
        const child: Entry = { value: item, step: key, parent: e };
        if (LONE_SURROGATE.test(key)) return pathOf(child);
        stack.push(child);
      }
    }
  }
  return undefined;
}

/**
 * The first key given twice in one object of `text` (valid JSON), or undefined. RFC 8259 §4 leaves duplicate
 * names' meaning open; read as the last one, `{"duration": "1h", "duration": "2h"}` silently meant 2h.
 */
export function repeatedKey(text: string): string | undefined {
  const objects: Array<Set<string> | null> = [];
  let keyNext = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const keys = objects[objects.length - 1];
      if (keyNext && keys) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
        keyNext = false;
      }
      i = j;
    } else if (c === '{') {
      objects.push(new Set());
      keyNext = true;
    } else if (c === '[') objects.push(null);
    else if (c === '}' || c === ']') objects.pop();
    else if (c === ',') keyNext = objects[objects.length - 1] !== null && objects.length > 0;
  }
  return undefined;
}

/**
 * Installs {@link parseJsonBody} as the app's `application/json` parser, each route's body holding at most its body
 * limit / BYTES_PER_JSON_VALUE objects and arrays; a charset other than UTF-8 is a 415 (WEFT_ERR_MEDIA_TYPE).
 */
export function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      // Any other charset would be read as UTF-8 all the same, and its text stored garbled ("caf\uFFFD").
      const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(request.headers['content-type'] ?? '')?.[1];
      if (charset !== undefined && !/^utf-?8$/i.test(charset)) throw ERR_JSON_CHARSET(charset);
      const limit = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 1024 * 1024;
      done(null, parseJsonBody(String(body), Math.max(1, Math.floor(limit / BYTES_PER_JSON_VALUE))));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
