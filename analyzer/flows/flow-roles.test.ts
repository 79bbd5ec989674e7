import { describe, expect, it } from 'vitest';
import { catalogFrom } from '../test/estate-fixture.ts';
import { hasRoles, roleKeys } from './flow-roles.ts';

const SEP = '\u001f';
const systems = `
owners: [{ id: icoe }]
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
  - { id: mdm, owner: icoe, match: { hosts: [mdm.internal] } }
  - { id: wms, owner: icoe, match: { hosts: [wms.internal] } }
  - { id: state, owner: icoe, match: { hosts: [redis.internal] } }
flows:
`;

describe('roleKeys', () => {
  it('keys each lookup by runtime (service and integration.flow) and target, and each state store by runtime', () => {
    const keys = roleKeys(
      catalogFrom(`${systems}  - { id: a, source: crm, target: erp, owner: icoe, runtime: { service: s, flow: a }, lookups: [mdm], stateStores: [state] }\n`),
    );
    expect(keys.role_lookups.sort()).toEqual(
      [`f${SEP}a${SEP}mdm${SEP}erp`, `f${SEP}a${SEP}mdm${SEP}`, `s${SEP}s${SEP}mdm${SEP}erp`, `s${SEP}s${SEP}mdm${SEP}`].sort(),
    );
    expect(keys.role_stores.sort()).toEqual([`f${SEP}a${SEP}state`, `s${SEP}s${SEP}state`]);
  });

  // A run of the runtime that only read the MDM is a half of the flow that copies the MDM elsewhere, not a lookup.
  it('makes no lookup of a run that wrote nothing when a flow of the same runtime has the system as its source', () => {
    const keys = roleKeys(
      catalogFrom(`${systems}  - { id: a, source: crm, target: erp, owner: icoe, runtime: { service: s }, lookups: [mdm] }
  - { id: b, source: mdm, target: wms, owner: icoe, runtime: { service: s } }
`),
    );
    expect(keys.role_lookups).toEqual([`s${SEP}s${SEP}mdm${SEP}erp`]);
  });

  it('is empty for a catalog that declares none: the edge reads stay as they were', () => {
    expect(hasRoles(roleKeys(catalogFrom(`${systems}  - { id: a, source: crm, target: erp, owner: icoe, runtime: { service: s } }\n`)))).toBe(false);
  });
});
