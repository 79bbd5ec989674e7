import { describe, expect, it } from 'vitest';
import { catalogFrom } from '../../analyzer/test/estate-fixture.ts';
import { catalogSha256, diffCatalogs } from './catalog-diff.ts';

const base = `
owners: [{ id: icoe }]
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, region: DE, match: { hosts: [erp.internal] } }
flows:
  - { id: crm-erp, source: crm, target: erp }
`;

describe('catalog history diff', () => {
  it('names every added, removed and changed entry and field', () => {
    const after = base
      .replace('region: DE', 'region: US')
      .replace('  - { id: crm-erp, source: crm, target: erp }\n', '  - { id: erp-crm, source: erp, target: crm, purpose: Write back }\n');
    expect(diffCatalogs(catalogFrom(base), catalogFrom(after))).toEqual(['systems.erp.region: DE → US', 'flows.erp-crm: added', 'flows.crm-erp: removed']);
  });

  it('hashes content, not key order or file names', () => {
    const reordered = catalogFrom(base.replace('{ id: crm, owner: icoe, match', '{ owner: icoe, id: crm, match'));
    expect(catalogSha256({ ...reordered, sources: ['other.yaml'] })).toBe(catalogSha256(catalogFrom(base)));
    expect(diffCatalogs(null, catalogFrom(base))).toContain('systems.crm: added');
  });
});
