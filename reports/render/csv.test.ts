import { describe, expect, it } from 'vitest';
import { csvField, tableToCsv } from './csv.ts';

describe('csv', () => {
  it('quotes fields with commas, quotes and line breaks (RFC 4180) and ends lines with CRLF after a UTF-8 BOM', () => {
    const csv = tableToCsv({
      id: 't',
      title: 'T',
      columns: [
        { key: 'a', label: 'Name, full' },
        { key: 'b', label: 'Note' },
      ],
      rows: [
        ['Zoë "Z"', 'line 1\nline 2'],
        [3, null],
      ],
      empty: '',
    });
    expect(csv).toBe('\uFEFF"Name, full",Note\r\n"Zoë ""Z""","line 1\nline 2"\r\n3,\r\n');
  });

  it('defuses text a spreadsheet would run as a formula (= + - @, tab, CR), but not numbers', () => {
    expect(csvField('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(['+1', '-2+3', '@SUM(A1)', '\tx', '\rx'].map(csvField)).toEqual(["'+1", "'-2+3", "'@SUM(A1)", `"'\tx"`, `"'\rx"`]);
    expect(csvField(-30)).toBe('-30');
    expect(csvField('a=b')).toBe('a=b');
  });

  // regression: LF and NUL first were written as they were (OWASP lists LF, ASVS 5 NUL)
  it('defuses a field that starts with LF or NUL', () => {
    expect(['\n=1+1', '\u0000=1+1'].map(csvField)).toEqual([`"'\n'=1+1"`, "'\u0000=1+1"]);
  });

  // regression: `crm;=1+1` was written as crm;=1+1, which Excel opened with `;` as its list separator (much of Europe)
  // reads as two cells, the second a formula; so was a formula after a line break inside a quoted field
  it('defuses a formula after a ; tab CR or LF inside a field, where another reading of the file starts a cell', () => {
    expect(['crm;=1+1', 'crm; =1+1', "a\n=cmd|' /C calc'!A0;", 'a\r\n-b', 'x\t@SUM(A1)', 'a;;+1', 'n;-2'].map(csvField)).toEqual([
      `"crm;'=1+1"`,
      `"crm;' =1+1"`,
      `"a\n'=cmd|' /C calc'!A0;"`,
      `"a\r\n'-b"`,
      `"x\t'@SUM(A1)"`,
      `"a;;'+1"`,
      `"n;'-2"`,
    ]);
    // a ; or tab alone is quoted, so a reader that splits on it keeps the field whole
    expect(['x;y', 'x\ty', 'a - b', 'a=b;c'].map(csvField)).toEqual(['"x;y"', '"x\ty"', 'a - b', '"a=b;c"']);
  });

  it('writes numbers, negative ones included, as numbers in every column', () => {
    const csv = tableToCsv({
      id: 't',
      title: 'T',
      columns: [
        { key: 'name', label: 'Name' },
        { key: 'diff', label: 'Difference' },
      ],
      rows: [
        ['=HYPERLINK("http://evil","x")', -12.5],
        ['-1+1', -3],
      ],
      empty: '',
    });
    expect(csv).toBe(`\uFEFFName,Difference\r\n"'=HYPERLINK(""http://evil"",""x"")",-12.5\r\n'-1+1,-3\r\n`);
  });

  // regression: full-width and small-form triggers, a trigger after white space or an invisible character, and a
  // control character other than NUL before one were written as they were
  it('defuses look-alike triggers and triggers behind white space, control or format characters, at a cell start', () => {
    const lookAlikes = ['\uFF1D1+1', '\uFF0B1+1', '\uFF0D1+1', '\uFF20SUM(A1)', '\uFE66cmd', '\uFE62x', '\uFE63x', '\uFE6Bx', '\u22121+2'];
    expect(lookAlikes.map(csvField)).toEqual(lookAlikes.map((s) => `'${s}`));
    const hidden = [' =1+1', '   @SUM(A1)', '\u00A0=1+1', '\u3000+1', '\u200B=1+1', '\uFEFF-1+1', '\u200E=1', '\u001B=1', '\u0001 \uFF1D1'];
    expect(hidden.map(csvField)).toEqual(hidden.map((s) => `'${s}`));
    // inside a field, after a separator another reading splits on
    expect(['crm;\uFF1D1+1', 'a\n \u200B@x', 'a;\u00A0-b'].map(csvField)).toEqual([`"crm;'\uFF1D1+1"`, `"a\n' \u200B@x"`, `"a;'\u00A0-b"`]);
    // siblings that start no formula are left as they were
    expect([' plain', '\u0001x', 'a \uFF1D b', 'x;\u00A0y', '1e5', 'a\u2212b'].map(csvField)).toEqual([
      ' plain',
      '\u0001x',
      'a \uFF1D b',
      '"x;\u00A0y"',
      '1e5',
      'a\u2212b',
    ]);
  });

  // regression: a negative number held as text ('-30') was written '-30, so a spreadsheet showed text, not the number
  it('writes text that is a plain decimal number as it is, negative ones too; anything more after a minus is defused', () => {
    expect(['-30', '-12.5', '0', '12', '-0.25'].map(csvField)).toEqual(['-30', '-12.5', '0', '12', '-0.25']);
    expect(['-1+1', '--1', '-', '-1e5', '- 1', '-30;=1'].map(csvField)).toEqual(["'-1+1", "'--1", "'-", "'-1e5", "'- 1", `"'-30;'=1"`]);
  });

  it('reads a long lead or run of separators in linear time', () => {
    const long = ' '.repeat(200_000) + 'x' + '; '.repeat(100_000) + 'y';
    const t0 = performance.now();
    csvField(long);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
