import { describe, expect, it } from 'vitest';
import { catalogFrom } from '../test/estate-fixture.ts';
import { flowDependencies, runtimeTouchFilter, type DependencyTouch } from './flow-dependencies.ts';

const catalog = catalogFrom(`
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
  - { id: mdm, owner: icoe, match: { hosts: [mdm.internal] } }
  - { id: tax, owner: icoe, match: { hosts: [tax.internal] } }
  - { id: locks, owner: icoe, match: { hosts: [redis.internal] } }
flows:
  - { id: by-service, source: crm, target: erp, runtime: { service: customer-sync }, lookups: [mdm, tax], stateStores: [locks] }
  - { id: by-flow, source: crm, target: mdm, runtime: { flow: mdm-feed }, lookups: [tax], stateStores: [locks] }
`);
const flow = (id: string) => catalog.flows.find((f) => f.id === id)!;
const touch = (system: string, integration: string, service: string, direction: string, spans: number, lastSeen: string, errors = 0): DependencyTouch => ({
  system,
  integration,
  service,
  direction,
  spans,
  errors,
  lastSeen,
});

describe('flowDependencies', () => {
  const touches = [
    touch('mdm', 'customer-sync', 'customer-sync', 'read', 3, '2026-12-04T10:00:00.000Z', 1),
    touch('mdm', 'customer-sync', 'customer-sync', 'read', 2, '2026-12-04T10:05:00.000Z'),
    // A write to a lookup system is a flow into it, not a lookup.
    touch('mdm', 'customer-sync', 'customer-sync', 'write', 7, '2026-12-04T10:09:00.000Z'),
    // Another runtime's read of it is not this flow's lookup.
    touch('mdm', 'country-sync', 'country-sync', 'read', 5, '2026-12-04T10:08:00.000Z'),
    // A state store counts reads and writes.
    touch('locks', 'customer-sync', 'customer-sync', 'write', 4, '2026-12-04T10:01:00.000Z'),
    touch('locks', 'customer-sync', 'customer-sync', 'read', 1, '2026-12-04T10:02:00.000Z'),
    // runtime.flow: the integration (integration.flow) is the runtime, whatever the service hosting it.
    touch('tax', 'mdm-feed', 'ipaas-worker', 'read', 6, '2026-12-04T10:03:00.000Z'),
    touch('locks', 'mdm-feed', 'ipaas-worker', 'write', 2, '2026-12-04T10:04:00.000Z'),
  ];

  it("counts the runtime's reads of a lookup and every touch of a state store, and lists a declared one never touched with none", () => {
    expect(flowDependencies(flow('by-service'), touches)).toEqual([
      { role: 'lookup', system: 'mdm', spans: 5, errors: 1, lastSeen: '2026-12-04T10:05:00.000Z' },
      { role: 'lookup', system: 'tax', spans: 0, errors: 0, lastSeen: null },
      { role: 'state', system: 'locks', spans: 5, errors: 0, lastSeen: '2026-12-04T10:02:00.000Z' },
    ]);
  });

  it('matches a runtime named by its integration.flow', () => {
    expect(flowDependencies(flow('by-flow'), touches)).toEqual([
      { role: 'lookup', system: 'tax', spans: 6, errors: 0, lastSeen: '2026-12-04T10:03:00.000Z' },
      { role: 'state', system: 'locks', spans: 2, errors: 0, lastSeen: '2026-12-04T10:04:00.000Z' },
    ]);
  });

  it("reads a runtime's rows by its integration or its service, as a query parameter", () => {
    expect(runtimeTouchFilter(flow('by-service'))).toEqual({ sql: '(service = {dep_service:String})', params: { dep_service: 'customer-sync' } });
    expect(runtimeTouchFilter(flow('by-flow'))).toEqual({ sql: '(integration = {dep_flow:String})', params: { dep_flow: 'mdm-feed' } });
  });
});
