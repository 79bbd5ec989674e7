/** A key of a path longer than this is cut (a sender chooses the keys it writes). */
const MAX_KEY = 40;
/** A path longer than this keeps its start and its end (a value may nest thousands deep). */
const MAX_PATH = 300;

const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The OTLP/JSON path of the value holding the character at `at` of the JSON text `s` (a body's bytes as latin1
 * characters, one a byte): `resourceSpans[0].scopeSpans[0].spans[3].attributes[2].value.stringValue`, with snake_case
 * keys written as OTLP/JSON's lowerCamelCase, as `decodeJson` renames them; `a key in …` when it is inside an object's
 * key; '' when it is in no object or array. Read in one pass over `s` up to `at` (strings jumped over from quote to
 * quote), for the warning about a body that is not UTF-8, which named only the byte: it is called for such a body alone,
 * never for a valid one. Text that is no JSON gives a path as far as it reads as JSON (its parse then fails the body).
 */
export function jsonPathAt(s: string, at: number): string {
  // Per open object or array: the key of the member being read ('' before its first), or the index of the item.
  const frames: (string | number)[] = [];
  let inKey = false;
  let p = 0;
  while (p <= at && p < s.length) {
    const c = s.charCodeAt(p);
    if (c === QUOTE) {
      const q = closingQuote(s, p);
      if (q >= at) return inKey ? `a key in ${pathOf(frames.slice(0, -1)) || 'the request'}` : pathOf(frames);
      if (inKey) {
        const key = s.slice(p + 1, q);
        frames[frames.length - 1] = key.length > MAX_KEY ? `${key.slice(0, MAX_KEY)}…` : key.includes('_') ? camel(key) : key;
        inKey = false;
      }
      p = q + 1;
      continue;
    }
    if (c === 0x7b /* { */) {
      frames.push('');
      inKey = true;
    } else if (c === 0x5b /* [ */) frames.push(0);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      frames.pop();
      inKey = false;
    } else if (c === 0x2c /* , */ && frames.length > 0) {
      const top = frames[frames.length - 1];
      if (typeof top === 'number') frames[frames.length - 1] = top + 1;
      else inKey = true;
    }
    p++;
  }
  return pathOf(frames);
}

/** The closing quote of the string opening at `open` (the next quote not escaped: after an even number of backslashes), or s.length. */
function closingQuote(s: string, open: number): number {
  for (let q = s.indexOf('"', open + 1); q >= 0; q = s.indexOf('"', q + 1)) {
    let slashes = 0;
    while (s.charCodeAt(q - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return q;
  }
  return s.length;
}

/** `a[0].b` of the frames (keys and indices); a path past MAX_PATH characters keeps its start and end. */
function pathOf(frames: readonly (string | number)[]): string {
  let path = '';
  for (const f of frames) path += typeof f === 'number' ? `[${f}]` : path ? `.${f}` : f;
  return path.length > MAX_PATH ? `${path.slice(0, MAX_PATH / 2)}…${path.slice(-MAX_PATH / 2)}` : path;
}
