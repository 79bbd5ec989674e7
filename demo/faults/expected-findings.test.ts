import { describe, expect, it } from 'vitest';
import { explainedBy, faultReported, faultSignatures, provesFault } from './expected-findings.ts';

const finding = (kind: string, systems: string[], flows: string[] = [], domains: string[] = []) => ({
  kind: kind as never,
  subject: { systems, flows, domains },
  evidence: {},
});

describe('expected findings', () => {
  it('recognises the finding that proves a fault by kind and subject, unknown systems by endpoint', () => {
    expect(provesFault(faultSignatures['shadow-it'], finding('unknown-system', ['unknown:contacts.growthhub.example']))).toBe(true);
    expect(provesFault(faultSignatures['sor-violation'], finding('sor-violation', ['erp', 'crm'], [], ['customer']))).toBe(true);
    expect(provesFault(faultSignatures['sor-violation'], finding('sor-violation', ['billing', 'crm'], [], ['customer']))).toBe(false);
    expect(provesFault(faultSignatures['stale-flow'], finding('stale-flow', ['erp', 'shop'], ['erp-shop-product-sync']))).toBe(false);
  });

  it('attributes a consequence to the fault that involves everything it names, and nothing else', () => {
    expect(explainedBy(finding('undocumented-flow', ['crm', 'unknown:contacts.growthhub.example'], [], ['customer']), ['shadow-it', 'stale-flow'])).toBe(
      'shadow-it',
    );
    expect(explainedBy(finding('stale-flow', ['crm', 'billing'], ['crm-billing-customer-sync']), ['shadow-it', 'stale-flow', 'replica-drift'])).toBeUndefined();
  });

  it('checks the evidence a user needs to believe the finding', () => {
    expect(faultSignatures['replica-drift'].checkEvidence({ replica: 'billing', systemOfRecord: 'crm', difference: -21, tolerance: 10 })).toBeNull();
    expect(faultSignatures['replica-drift'].checkEvidence({ replica: 'billing', systemOfRecord: 'crm', difference: -3, tolerance: 10 })).toMatch(
      /more than the tolerance/,
    );
  });

  it('regression: a remediated fault counts as reported by its finding in any status or by its remediation (screenshots waited 4 minutes for a stale-flow finding already resolved)', () => {
    const stale = faultSignatures['stale-flow'];
    const resolved = { ...finding('stale-flow', ['erp', 'cpq'], ['erp-cpq-product-sync'], ['product']), status: 'resolved' };
    expect(faultReported(stale, [resolved], new Set())).toBe(true);
    expect(faultReported(stale, [], new Set(['erp-cpq-product-sync']))).toBe(true);
    expect(faultReported(stale, [], new Set(['erp-shop-product-sync']))).toBe(false);
    // A fault with no flow of its own is reported only by its finding.
    expect(faultReported(faultSignatures['shadow-it'], [], new Set(['growth-contacts-export']))).toBe(false);
  });
});
