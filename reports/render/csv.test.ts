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
    expect(['+1', '-2+3', '@SUM(A1)', '\tx', '\rx'].map(csvField)).toEqual(["'+1", "'-2+3", "'@SUM(A1)", "'\tx", `"'\rx"`]);
    expect(csvField(-30)).toBe('-30');
    expect(csvField('a=b')).toBe('a=b');
  });
});
