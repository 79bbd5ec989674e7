/**
 * How many objects and arrays `JSON.parse` would build from `text` (its brackets outside strings), counted without
 * building any; stops counting past `max` (returns max + 1). Text that is not valid JSON is counted as far as it goes:
 * the parse refuses it afterwards. A bound on a request's decoded size before it is decoded: 8 KiB of gzip holding
 * `[{},{},…]` inflates to millions of objects (each 50–100 bytes of heap).
 */
export function jsonValueCount(text: string | Uint8Array, max = Infinity): number {
  const at: (i: number) => number = typeof text === 'string' ? (i) => text.charCodeAt(i) : (i) => text[i];
  let count = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = at(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character (a quote, a backslash, or the u of \uXXXX)
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if ((c === 0x7b || c === 0x5b) && ++count > max) return count;
  }
  return count;
}
