/**
 * The userinfo of a URL (`scheme://user:password@host`, RFC 3986 §3.2.1), found and replaced by one rule wherever Weft
 * meets a URL: a URL-valued attribute (url-secrets.ts), a URL inside any text (value-secrets.ts: a plain attribute, an
 * exception message, a log body) and a URL inside a statement's string literal (statement-secrets.ts).
 *
 * - The authority starts after `//` and ends at the first `/`, `?` or `#` (as the classification's `url_parts`,
 *   collector/touches/endpoint-host.ts, reads it); inside text it also ends at whitespace, a control character, a
 *   quote (`"`, `'`, `` ` ``), `<` or `>`, where a URL among words ends.
 * - The userinfo is what comes before the authority's last `@` (WHATWG's URL parser and the classification also take
 *   the last: `u:p@ss@host`'s password is `p@ss`, its host `host`).
 * - With a `:` in it (a password, even an empty user's: `redis://:pw@cache`) it becomes `REDACTED:REDACTED`; without
 *   one (a user alone, often a token: `https://ghp_…@github.com`, a Sentry DSN's key) `REDACTED` where the caller says
 *   so (`userAlone`), else it is kept (free text's `ssh://git@host`); a user with an empty password (`svc:@h`) is a user
 *   alone there. Only the userinfo changes: scheme, host (IPv6 brackets included), port and path keep every byte.
 *
 * Where WHATWG's parser reads differently the classification is followed, so that the host it reads stays the same:
 * a `\` does not end an authority (`http://a\@b/`: host `b`), nor does the scheme matter (`jdbc:postgresql://…`,
 * `mongodb+srv://…` are split as `https://…` is).
 */

/** The text a secret is replaced by. */
export const REDACTED = 'REDACTED';

/** A replacement of `text[s…e)` by `to`. */
export interface Edit {
  s: number;
  e: number;
  to: string;
}

/** Whether the character code `c` ends an authority inside text (besides `/`, `?`, `#`). */
const endsInText = (c: number) => c <= 0x20 || c === 0x22 || c === 0x27 || c === 0x60 || c === 0x3c || c === 0x3e || c === 0x7f;

/**
 * Where the authority that starts at `text[start]` ends (the index of the character that ends it, or the text's
 * length): at `/`, `?` or `#`, and inside text (`inText`) at what ends a URL among words (see above).
 */
export function authorityEnd(text: string, start: number, inText: boolean): number {
  let end = start;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (c === 0x2f || c === 0x3f || c === 0x23 || (inText && endsInText(c))) break;
    end++;
  }
  return end;
}

/**
 * The edit that redacts the userinfo of the authority `text[start…end)`, or undefined when it has none or keeps it
 * (a user alone unless `userAlone`; one already redacted). Never throws.
 */
export function userinfoEdit(text: string, start: number, end: number, userAlone: boolean): Edit | undefined {
  const at = text.lastIndexOf('@', end - 1);
  if (at < start || at === start) return undefined;
  const info = text.slice(start, at);
  const colon = info.indexOf(':');
  const password = colon >= 0 && (userAlone || colon < info.length - 1);
  if (!password && !userAlone) return undefined;
  const to = password ? `${REDACTED}:${REDACTED}` : REDACTED;
  return info === to ? undefined : { s: start, e: at, to };
}

/**
 * The edits that redact the userinfo of every URL (`://` then an authority, read as inside text) in `text`; a user
 * alone too when `userAlone`. In the order of the text, none overlapping (an authority holds no `/`).
 */
export function userinfoEditsInText(text: string, userAlone: boolean): Edit[] {
  const out: Edit[] = [];
  for (let sep = text.indexOf('://'); sep >= 0; sep = text.indexOf('://', sep + 3)) {
    const start = sep + 3;
    const end = authorityEnd(text, start, true);
    const edit = userinfoEdit(text, start, end, userAlone);
    if (edit !== undefined) out.push(edit);
  }
  return out;
}

/** `text` with `edits` (in order, none overlapping) applied; the same string when there are none. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  if (edits.length === 0) return text;
  let out = '';
  let kept = 0;
  for (const ed of edits) {
    out += text.slice(kept, ed.s) + ed.to;
    kept = ed.e;
  }
  return out + text.slice(kept);
}
