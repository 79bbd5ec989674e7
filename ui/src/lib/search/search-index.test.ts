import { describe, expect, it } from 'vitest';
import type { Finding, FlowRow, OwnerRow, SystemRow } from '../api/types.ts';
import { buildIndex, search } from './search-index.ts';

const systems = [
  { id: 'crm', name: 'Sales CRM', kind: 'crm', owner: 'sales-ops', documented: true },
  { id: 'unknown:contacts.growthhub.example', name: 'contacts.growthhub.example', kind: 'unknown', owner: null, documented: false },
] as SystemRow[];
const flows = [
  {
    id: 'crm-erp-account-create',
    name: 'Accounts into the ERP',
    source: 'crm',
    target: 'erp',
    domain: 'customer',
    owner: 'icoe',
    documented: true,
    integrations: ['l2c'],
  },
] as FlowRow[];
const owners = [{ id: 'sales-ops', name: 'Sales operations', email: 'ops@example.com', systems: ['crm'], flows: [] }] as unknown as OwnerRow[];
const findings = [
  {
    id: 'f1',
    title: 'Unknown system contacts.growthhub.example',
    kind: 'unknown-system',
    severity: 'high',
    status: 'open',
    subject: { systems: ['unknown:contacts.growthhub.example'], flows: [], domains: [] },
  },
] as unknown as Finding[];
const index = buildIndex({ systems, flows, owners, findings });

describe('search', () => {
  it('finds systems, flows, owners and findings by any word, best match first', () => {
    expect(search(index, 'crm').map((e) => `${e.type}:${e.title}`)).toEqual(['system:Sales CRM', 'flow:Accounts into the ERP']);
    expect(search(index, 'growthhub').map((e) => e.type)).toEqual(['system', 'finding']);
    expect(search(index, 'accounts erp')[0]).toMatchObject({ type: 'flow', href: '/flows/crm-erp-account-create' });
    expect(search(index, 'OPS@')[0]).toMatchObject({ type: 'owner', href: '/?owner=sales-ops' });
  });

  it('counts an owner\'s systems and flows with the right plural (it said "1 systems")', () => {
    expect(search(index, 'OPS@')[0].detail).toBe('sales-ops · ops@example.com · 1 system, 0 flows');
  });

  it('offers a trace id as a trace, and finds nothing for nothing', () => {
    expect(search(index, 'ABCDEF0123456789abcdef0123456789')[0]).toMatchObject({ type: 'trace', href: '/traces/abcdef0123456789abcdef0123456789' });
    expect(search(index, '   ')).toEqual([]);
    expect(search(index, 'zzz')).toEqual([]);
    expect(search(index, '(.*')).toEqual([]);
  });
});
