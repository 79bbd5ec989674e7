/**
 * A text someone gave, quoted for a message (JSON string syntax): at most 100 characters, then "…", so a
 * pasted file or a 5 MB value does not become the message; characters that would change how the rest of the
 * message reads (see `printable`) are written as escapes.
 */
export function shown(text: string): string {
  return printable(JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text));
}

/** Any value as JSON (`String(v)` where JSON has none: undefined, a function), cut to 40 characters: for a message naming a wrong value. */
export function shownValue(v: unknown): string {
  const t = JSON.stringify(v) ?? String(v);
  return t.length > 40 ? `${t.slice(0, 40)}…` : t;
}

/**
 * Characters that change how text around them is shown rather than showing themselves: C0 controls other than
 * tab and newline, DEL and the C1 controls, the line and paragraph separators, and Unicode's bidirectional
 * formatting characters (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069: the "Trojan Source" ones,
 * CVE-2021-42574).
 */
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every INVISIBLE character written as `\u{XXXX}`, for a message shown on a terminal or a page. */
export function printable(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}}`);
}

/**
 * `text` for a terminal's standard output: every INVISIBLE character written as `\uXXXX`. What the CLI prints comes
 * partly from telemetry (a span's peer.service, a flow id), which any sender could fill with escape sequences that
 * clear the screen, retitle it or rewrite the clipboard; as `\uXXXX` JSON output stays JSON that means the same
 * (such characters stand only inside its strings, where that is their escape).
 */
export function terminalText(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}
