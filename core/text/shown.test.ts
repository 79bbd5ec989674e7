import { describe, expect, it } from 'vitest';
import { printable, shown } from './index.ts';

describe('shown and printable', () => {
  // Regression: messages quoted a given value with its bidirectional overrides (U+202E) and C1 controls as they
  // were, so an id or a file name could reorder what the rest of the message said on a terminal or a page.
  it('writes the characters that restyle text around them as escapes', () => {
    expect(shown('abc\u202Efdp.exe')).toBe('"abc\\u{202E}fdp.exe"');
    expect(shown('a\u2066b\u2069c\u200Fd')).toBe('"a\\u{2066}b\\u{2069}c\\u{200F}d"');
    expect(shown('tab\tnew\nline\u001b[31m')).toBe('"tab\\tnew\\nline\\u001b[31m"');
    expect(printable('x\u009bq\u2028y\u061cz')).toBe('x\\u{009B}q\\u{2028}y\\u{061C}z');
    expect(printable('keeps\ttabs\nand newlines, ünïcödé and emoji 🙂')).toBe('keeps\ttabs\nand newlines, ünïcödé and emoji 🙂');
    expect(printable('\u001b[2J')).toBe('\\u{001B}[2J');
  });

  it('cuts a long text to 100 characters', () => {
    expect(shown('x'.repeat(500))).toBe(`"${'x'.repeat(100)}…"`);
  });
});
