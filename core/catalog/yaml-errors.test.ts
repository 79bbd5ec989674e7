import { describe, expect, it } from 'vitest';
import { parseCatalog } from './load.ts';

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
    expect(problemsOf('systems:\n  - id: crm\n   kind: crm\n')[0]).toMatch(/^3: .*not aligned with the fields above it/);
    expect(problemsOf('systems:\n  - id: crm\n    kind: crm\n  owner: x\n')[0]).toMatch(/^4: .*not aligned with the fields above it/);
    expect(problemsOf('systems:\n\t- id: crm\n')[0]).toMatch(/^2: this line is indented with a tab/);
    expect(problemsOf('systems:\n  - id: crm\n    id: erp\n')[0]).toMatch(/^3: "id" appears twice in the same entry/);
    expect(problemsOf('systems:\n  - id crm\n    kind: crm\n')[0]).toMatch(/^2: a key has no colon after it/);
    expect(problemsOf('systems:\n  - { id: crm, match: hosts: [x] }\n')[0]).toMatch(/^2: inside \{ … \} or \[ … \], write inner mappings in braces too/);
  });
});
