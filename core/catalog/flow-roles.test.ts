import { describe, expect, it } from 'vitest';
import { formatProblem, parseCatalog } from './index.ts';

const systems = `owners:
  - id: icoe
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
  - { id: mdm, owner: icoe, match: { hosts: [mdm.internal] } }
  - { id: sync-db, owner: icoe, kind: database, match: { databases: ["postgresql://sync-db.internal/sync"] } }
flows:
`;

const problems = (flows: string) => parseCatalog([{ file: 'estate.yaml', text: systems + flows }]).problems.map(formatProblem);

describe("a flow's lookups and state stores", () => {
  it('are read as lists of system ids', () => {
    const { catalog, problems: p } = parseCatalog([
      {
        file: 'estate.yaml',
        text: `${systems}  - id: crm-to-erp
    source: crm
    target: erp
    runtime: { service: customer-sync }
    lookups: [mdm]
    stateStores: [sync-db]
`,
      },
    ]);
    expect(p).toEqual([]);
    expect(catalog.flows[0]).toMatchObject({ lookups: ['mdm'], stateStores: ['sync-db'] });
  });

  // A lookup naming a system the catalog does not declare is a typo Weft must say, as for a source or target.
  it('refuses a lookup or a state store naming an unknown system, with file, line and field', () => {
    expect(
      problems(`  - id: crm-to-erp
    source: crm
    target: erp
    runtime: { service: customer-sync }
    lookups: [mdn]
    stateStores: [sync-db, redis]
`),
    ).toEqual([
      'estate.yaml:13:15: flows[0].lookups[0]: unknown system "mdn" (did you mean "mdm"?); expected one of the ids declared under systems (crm, erp, mdm, sync-db)',
      'estate.yaml:14:28: flows[0].stateStores[1]: unknown system "redis"; expected one of the ids declared under systems (crm, erp, mdm, sync-db)',
    ]);
  });

  it('refuses what cannot hold: no runtime, its own source as a lookup, an end as a state store, one system in both', () => {
    expect(problems(`  - { id: a, source: crm, target: erp, lookups: [mdm] }\n`)).toEqual([
      'estate.yaml:9:49: flows[0].lookups: lookups and stateStores are said of the integration that runs the flow: give the flow a runtime (service or flow) too',
    ]);
    expect(problems(`  - { id: a, source: crm, target: erp, runtime: { service: s }, lookups: [crm], stateStores: [erp] }\n`)).toEqual([
      `estate.yaml:9:75: flows[0].lookups[0]: "crm" is this flow's source: a lookup is a system read for reference only; remove it from lookups`,
      `estate.yaml:9:95: flows[0].stateStores[0]: "erp" is this flow's target: a state store is neither; remove it from stateStores`,
    ]);
    expect(problems(`  - { id: a, source: crm, target: erp, runtime: { service: s }, lookups: [mdm], stateStores: [mdm] }\n`)).toEqual([
      `estate.yaml:9:75: flows[0].lookups[0]: "mdm" is also one of this flow's stateStores: a system is one or the other`,
    ]);
  });

  it('refuses a lookup or state store of a runtime that another flow of the same runtime has as an end', () => {
    expect(
      problems(`  - { id: a, source: crm, target: erp, runtime: { service: s }, lookups: [mdm], stateStores: [sync-db] }
  - { id: b, source: mdm, target: erp, runtime: { service: s } }
  - { id: c, source: sync-db, target: crm, runtime: { service: s, flow: c } }
`),
    ).toEqual([
      'estate.yaml:9:75: flows[0].lookups[0]: "mdm" is the source of flow b of the same runtime into erp: its reads cannot be lookups for that target',
      'estate.yaml:9:95: flows[0].stateStores[0]: "sync-db" is the source of flow c of the same runtime: a state store of a runtime is no end of its flows',
    ]);
    // Another runtime's flow from the same system is no conflict: the lookup is said of this runtime only.
    expect(
      problems(`  - { id: a, source: crm, target: erp, runtime: { service: s }, lookups: [mdm] }
  - { id: b, source: mdm, target: erp, runtime: { service: other } }
`),
    ).toEqual([]);
  });
});
