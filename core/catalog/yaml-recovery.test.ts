import { describe, expect, it } from 'vitest';
import { formatProblem, parseCatalog } from './index.ts';
import { MAX_YAML_MISTAKES, readCatalogYaml } from './yaml-recovery.ts';

const problemsOf = (text: string) => parseCatalog([{ file: 'e.yaml', text }]).problems.map(formatProblem);

const COLON = 'a value contains ": " (a colon and a space), which YAML reads as a mapping inside a one-line value.';
const TAB = 'this line is indented with a tab: indent it with spaces (YAML does not allow tabs in indentation)';

// regression: a file with a YAML mistake named that mistake only (the rest of the file was not validated),
// and an unclosed quote or bracket hid every mistake after it
describe('a catalog file with several independent mistakes', () => {
  it('names a YAML mistake, a schema mistake and an unknown reference in one pass', () => {
    const text = `systems:
  - id: crm
    name: CRM: sales
  - id: erp
    colour: blue
flows:
  - id: f
    source: erp
    target: wms
`;
    expect(problemsOf(text)).toEqual([
      expect.stringMatching(new RegExp(`^e\\.yaml:3:11: ${COLON.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)),
      'e.yaml:5:5: systems[1].colour: unknown field "colour"; expected one of: id, name, owner, kind, lifecycle, description, region, transfer, security, match',
      'e.yaml:9:13: flows[0].target: unknown system "wms"; expected one of the ids declared under systems (crm, erp)',
    ]);
  });

  it('names a tab, a duplicate key and a refused id, and nothing that follows from them', () => {
    const text = `owners:
  - id: icoe
systems:
  - id: crm
\tkind: crm
  - id: erp
    owner: icoe
    owner: sales
  - id: Billing
flows:
  - { id: f, source: crm, target: erp }
`;
    // crm and erp are set aside for their YAML mistakes, so the flow's references to them are not unknown.
    expect(problemsOf(text)).toEqual([
      `e.yaml:5:1: ${TAB}`,
      'e.yaml:8:5: "owner" appears twice in the same entry; keep one (or start a new list item with "- ") (YAML: Map keys must be unique)',
      'e.yaml:9:9: systems[2].id: expected lower-case id: letters, digits, ".", "_" or "-", got "Billing"',
    ]);
  });

  it('reads on past an unclosed quote or bracket', () => {
    const quote = `systems:
  - id: "crm
  - id: erp
    kind: erp
domains:
  - id: customer
     systemOfRecord: crm
flows:
  - id: f
    source: erp
    target: crm
    docs: wiki
`;
    expect(problemsOf(quote)).toEqual([
      'e.yaml:2:1: a quoted string opened on this line is never closed: add the closing quote',
      expect.stringMatching(/^e\.yaml:7:6: this line is indented 5 spaces, which lines up with no entry above it: indent it 4 spaces like "id" \(line 6\)/),
      'e.yaml:12:11: flows[0].docs: expected a link starting with http:// or https://, got "wiki"',
    ]);
    const bracket = 'systems:\n  - { id: crm, kind: crm\n  - id: erp\nclasses:\n  - id: gold\n    latencyP95Ms: fast\n';
    expect(problemsOf(bracket)).toEqual([
      'e.yaml:2:1: the "{" opened on this line is never closed: add "}" at the end of the entry',
      'e.yaml:6:19: classes[0].latencyP95Ms: expected number (milliseconds, above 0), got "fast"',
    ]);
  });

  it('keeps the positions of the entries after one set aside, and checks the references to it as declared', () => {
    const text = `systems:
  - id: a
  - id: b
    kind: [erp
  - id: c
    colour: red
  - id: d
    lifecycle: gone
flows:
  - { id: f, source: b, target: d }
  - { id: g, source: a, target: z }
`;
    expect(problemsOf(text)).toEqual([
      'e.yaml:4:1: the "[" opened on this line is never closed: add "]" at the end of the entry',
      'e.yaml:6:5: systems[2].colour: unknown field "colour"; expected one of: id, name, owner, kind, lifecycle, description, region, transfer, security, match',
      'e.yaml:8:16: systems[3].lifecycle: expected active, deprecated or retired, got "gone"',
      'e.yaml:11:33: flows[1].target: unknown system "z"; expected one of the ids declared under systems (b, c, d, a)',
    ]);
  });

  it('says one thing for a mistake whose entry the parser misreads, and for a section key without its colon', () => {
    expect(problemsOf('systems:\n  - id: crm\n - id: erp\n    kind: erp\n  - id: wms\nflows:\n  - { id: f, source: erp, target: wms }\n')).toEqual([
      expect.stringMatching(/^e\.yaml:3:2: this line is indented 1 space, which lines up with no entry above it/),
    ]);
    expect(problemsOf('systems\n  - id: crm\nflows:\n  - { id: f, source: crm, target: x }\n')).toEqual([
      expect.stringMatching(/^e\.yaml:1:1: a key has no colon after it/),
      'e.yaml:4:35: flows[0].target: unknown system "x"; expected one of the ids declared under systems (crm)',
    ]);
  });

  it('sets aside a misplaced section key with its section, and keeps its ids declared', () => {
    const section = (key: string) => `systems:
  - id: crm
  - id: erp
${key}
  - id: gold
    latencyP95Ms: 100
flows:
  - { id: f, source: crm, target: erp, class: gold, docs: wiki }
`;
    for (const key of [' classes:', '\tclasses:']) {
      expect(problemsOf(section(key)), JSON.stringify(key)).toEqual([
        expect.stringMatching(/^e\.yaml:4:\d+: this line is (indented 1 space|indented with a tab)/),
        'e.yaml:8:59: flows[0].docs: expected a link starting with http:// or https://, got "wiki"',
      ]);
    }
  });

  it('takes "{ id crm, … }" (valid YAML: a key "id crm") as naming crm, so references to it are not unknown too', () => {
    expect(problemsOf('systems:\n  - { id crm, kind: crm }\n  - id: erp\nflows:\n  - { id: f, source: crm, target: erp }\n')).toEqual([
      expect.stringMatching(/^e\.yaml:2:5: systems\[0\]\.id: missing required field/),
      expect.stringMatching(/^e\.yaml:2:7: systems\[0\]\.id crm: unknown field "id crm"/),
    ]);
  });

  it('checks the references of an entry the schema refused, except in the fields it refused', () => {
    const text = 'systems:\n  - id: crm\nflows:\n  - id: f\n    source: nope\n    target: 7\n    colour: red\n';
    expect(problemsOf(text)).toEqual([
      'e.yaml:5:13: flows[0].source: unknown system "nope"; expected one of the ids declared under systems (crm)',
      expect.stringMatching(/^e\.yaml:6:13: flows\[0\]\.target: expected .*got 7$/),
      expect.stringMatching(/^e\.yaml:7:5: flows\[0\]\.colour: unknown field "colour"/),
    ]);
  });

  it(`stops after ${MAX_YAML_MISTAKES} YAML mistakes, saying more follow`, () => {
    const text = `systems:\n${Array.from({ length: 25 }, (_, i) => `  - id: s${i}\n    name: S: ${i}\n`).join('')}`;
    const yaml = readCatalogYaml(text);
    expect(yaml.readable).toBe(false);
    expect(yaml.problems).toHaveLength(MAX_YAML_MISTAKES + 1);
    expect(yaml.problems.map((p) => p.line).slice(0, 3)).toEqual([3, 5, 7]);
    expect(yaml.problems.at(-1)).toEqual({
      line: 0,
      column: 0,
      message: `more YAML mistakes follow these ${MAX_YAML_MISTAKES} (or follow from them): fix these and validate again`,
    });
    // Exactly as many as the limit: all named, nothing said to follow.
    const exactly = `systems:\n${Array.from({ length: MAX_YAML_MISTAKES }, (_, i) => `  - id: s${i}\n    name: S: ${i}\n`).join('')}`;
    expect(readCatalogYaml(exactly)).toMatchObject({ readable: true, problems: { length: MAX_YAML_MISTAKES } });
  });
});
