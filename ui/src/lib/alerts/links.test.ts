import { describe, expect, it } from 'vitest';
import { alertLinks } from './links.ts';

describe('alert links', () => {
  it('regression: an alert on a finding links to its finding and its sample traces (it linked to nothing)', () => {
    const l = alertLinks({
      flow: null,
      labels: { system: 'unknown:api.unknown-saas.com' },
      finding: 'f 1',
      traceIds: ['4bf92f3577b34da6a3ce929d0e0e4736', 'aa'],
    });
    expect(l.subject).toEqual({ text: 'unknown:api.unknown-saas.com', href: null });
    expect(l.finding?.href).toBe('/findings/f%201');
    expect(l.traces.map((t) => [t.href, t.text])).toEqual([
      ['/traces/4bf92f3577b34da6a3ce929d0e0e4736', 'trace 4bf92f35…'],
      ['/traces/aa', 'trace aa…'],
    ]);
  });

  it("a flow alert links to its flow and its run's trace, and to no finding", () => {
    const l = alertLinks({ flow: 'customer-sync', labels: { flow: 'customer-sync' }, finding: null, traceIds: ['abc'] });
    expect(l.subject.href).toBe('/flows/customer-sync');
    expect(l.finding).toBeNull();
    expect(l.traces).toHaveLength(1);
  });

  it('an alert without finding or traces (an older server) has only its subject', () => {
    const l = alertLinks({ flow: null, labels: {}, finding: undefined, traceIds: undefined } as never);
    expect(l).toEqual({ subject: { text: 'estate', href: null }, finding: null, traces: [] });
  });
});
