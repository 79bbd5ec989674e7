import { describe, expect, it } from 'vitest';
import { parseCatalog } from './load.ts';
import { misalignedLine } from './yaml-errors.ts';

const problemsOf = (text: string) => parseCatalog([{ file: 'estate.yaml', text }]).problems.map((p) => `${p.line}: ${p.message}`);

describe('catalog YAML syntax errors', () => {
  // Regression: "Nested mappings are not allowed in compact mappings" said nothing a catalog author could act on.
  it('explains a one-line value with ": " in it and says how to write it', () => {
    const [p] = problemsOf('systems:\n  - id: crm\n    match: hosts: [crm.internal]\n');
    expect(p).toMatch(/^3: a value contains ": " .*Quote the value .*match: \{ hosts: \[crm\.internal\] \}/);
    expect(problemsOf('systems:\n  - id: crm\n    name: CRM: sales\n')[0]).toMatch(/^3: a value contains ": "/);
  });

  it('points at the line where an unclosed bracket or quote was opened, not where the parser noticed it', () => {
    expect(problemsOf('systems:\n  - { id: crm, kind: crm\nflows: []\n')[0]).toBe(
      '2: the "{" opened on this line is never closed: add "}" at the end of the entry',
    );
    expect(problemsOf('systems:\n  - id: crm\n    kind: [crm\n')[0]).toMatch(/^3: the "\[" opened on this line is never closed: add "\]"/);
    expect(problemsOf('systems:\n  - id: "crm\n    kind: crm\n')[0]).toBe('2: a quoted string opened on this line is never closed: add the closing quote');
  });

  it('says what to change for indentation, tabs, duplicate keys, a missing colon and block mappings inside braces', () => {
    expect(problemsOf('systems:\n  - id: crm\n   kind: crm\n')[0]).toMatch(/^3: this line is indented 3 spaces, which lines up with no entry above it/);
    expect(problemsOf('systems:\n  - id: crm\n    kind: crm\n  owner: x\n')[0]).toMatch(/^4: .*not aligned with the fields above it/);
    expect(problemsOf('systems:\n\t- id: crm\n')[0]).toMatch(/^2: this line is indented with a tab/);
    expect(problemsOf('systems:\n  - id: crm\n    id: erp\n')[0]).toMatch(/^3: "id" appears twice in the same entry/);
    expect(problemsOf('systems:\n  - id crm\n    kind: crm\n')[0]).toMatch(/^2: a key has no colon after it/);
    expect(problemsOf('systems:\n  - { id: crm, match: hosts: [x] }\n')[0]).toMatch(/^2: inside \{ … \} or \[ … \], write inner mappings in braces too/);
  });

  // regression: a tab-indented line gave a second, wrong message (about ": " in a value) after the right one, or before it
  it('says a tab once, at its line, and to indent with spaces', () => {
    const tab = 'this line is indented with a tab: indent it with spaces (YAML does not allow tabs in indentation)';
    const cases: Array<[string, string, string]> = [
      ['a field under a block key', 'systems:\n  - id: crm\n    match:\n\t  hosts: [a]\n  - id: erp\n', `4: ${tab}`],
      ['a list item under a key above it', 'systems:\n  - id: crm\n    match:\n      hosts:\n\t      - a\n', `5: ${tab}`],
      ['a field of a list item', 'systems:\n  - id: crm\n\tkind: crm\n  - id: erp\nflows: []\n', `3: ${tab}`],
      ['a list item', 'systems:\n  - id: crm\n    kind: crm\n\t- id: erp\n    kind: erp\n', `4: ${tab}`],
      ['a tab after spaces', 'systems:\n  - id: crm\n  \tkind: crm\n', `3: ${tab}`],
      [
        'a run of lines',
        'systems:\n\t- id: crm\n\t  kind: crm\nflows: []\n',
        '2: lines 2–3 are indented with tabs: indent them with spaces (YAML does not allow tabs in indentation)',
      ],
    ];
    for (const [what, text, expected] of cases) expect(problemsOf(text), what).toEqual([expected]);
    expect(parseCatalog([{ file: 'e.yaml', text: 'systems:\n  - id: crm\n    \towner: x\n' }]).problems.map((p) => [p.line, p.column])).toEqual([[3, 5]]);
  });

  // regression: "systems" without its colon was said to be the next line's indentation
  it('says a key misses its colon at the key, not at the line under it', () => {
    expect(problemsOf('systems\n  - id: crm\n')).toEqual([
      '1: a key has no colon after it, or a value continues on the next line: write "key: value" (e.g. "id: crm") (YAML: Implicit keys need to be on a single line)',
    ]);
  });

  // regression: one mis-indented list item gave three messages, the first about a ": " in a value
  it('says once which line is mis-indented and what it should line up with, whichever way it is off', () => {
    const cases: Array<[string, string, RegExp]> = [
      [
        'an item one space short',
        'systems:\n  - id: crm\n    name: CRM\n - id: erp\n    name: ERP\nflows: []\n',
        /^4: .*indented 1 space.*2 spaces like "- id" \(line 2\)/,
      ],
      [
        'an item one space deep',
        'systems:\n  - id: crm\n    name: CRM\n   - id: erp\n     name: ERP\n',
        /^4: .*indented 3 spaces.*4 spaces like "name" \(line 3\), or 2 spaces like "- id"/,
      ],
      ['a field one space short', 'systems:\n  - id: crm\n   name: CRM\n  - id: erp\n', /^3: .*indented 3 spaces.*4 spaces like "id" \(line 2\)/],
      ['a field one space deep', 'systems:\n  - id: crm\n     name: CRM\n  - id: erp\n', /^3: .*indented 5 spaces.*4 spaces like "id" \(line 2\)/],
      [
        'a nested list item',
        'systems:\n  - id: crm\n    match:\n      hosts:\n      - a\n     - b\n',
        /^6: .*indented 5 spaces.*6 spaces like "- a" \(line 5\)/,
      ],
    ];
    for (const [what, text, expected] of cases) {
      const problems = problemsOf(text);
      expect(problems, what).toHaveLength(1);
      expect(problems[0], what).toMatch(expected);
    }
  });

  it('finds no misaligned line in well-indented YAML: block scalars, flow collections over lines, continued values', () => {
    const valid = [
      'systems:\n  - id: crm\n    description: |\n       indented text\n     any way\n    owner: sales\n',
      'systems:\n  - { id: crm,\n       kind: crm }\n  - id: erp\n',
      'systems:\n  - id: crm\n    description: a long value\n      continued here\n    owner: x\n',
      'flows:\n- id: f\n  source: crm\n  tags:\n  - a\n  - b\n---\nsystems: []\n',
      'a:\n    b:\n        - c: 1\n          d: 2\n    e: 3\n',
    ];
    for (const text of valid) expect(misalignedLine(text, 1000), text).toBeUndefined();
  });

  // regression: a list item one space deeper than the one above is valid YAML (it continues that item)
  // and gave the host "crm.internal - crm-api", which validated
  it('refuses a host, URL prefix or DSN with a space, saying how the list item was read', () => {
    expect(problemsOf('systems:\n  - id: crm\n    match:\n      hosts:\n        - crm.internal\n         - crm-api\n')).toEqual([
      '5: expected a host name or host:port, no spaces (a "- " item indented deeper than the one above it continues that one), got "crm.internal - crm-api"',
    ]);
    expect(problemsOf('systems:\n  - id: crm\n    match:\n      urlPrefixes:\n        - https://crm.internal/api\n         - https://x\n')[0]).toMatch(
      /^5: .*no spaces/,
    );
    expect(problemsOf('systems:\n  - id: crm\n    match:\n      databases:\n        - postgresql://db/crm\n         - mysql://db/x\n')[0]).toMatch(/^5: /);
  });
});
