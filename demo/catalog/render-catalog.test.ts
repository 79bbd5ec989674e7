import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../core/catalog/index.ts';
import { demoSystems } from '../estate/systems.ts';
import { readDemoCatalog, renderCatalog } from './render-catalog.ts';

const endpoints = new Map(demoSystems.map((s, i) => [s.host as string, `http://127.0.0.1:${41000 + i}`]));

describe('demo catalog', () => {
  it('is a valid catalog as committed', () => {
    const { problems, catalog } = parseCatalog([{ file: 'demo/catalog/estate.yaml', text: readDemoCatalog() }]);
    expect(problems).toEqual([]);
    expect(catalog.systems.map((s) => s.id)).toEqual(expect.arrayContaining(demoSystems.map((s) => s.id)));
    expect(catalog.flows.filter((f) => !f.owner)).toEqual([]);
    expect(catalog.systems.filter((s) => !s.owner)).toEqual([]);
  });

  it('points probes at the loopback ports and scales durations, staying valid', () => {
    const text = renderCatalog(readDemoCatalog(), { endpoints, timeScale: 0.1 });
    const { problems, catalog } = parseCatalog([{ file: 'rendered.yaml', text }]);
    expect(problems).toEqual([]);
    const crm = catalog.probes.find((p) => p.id === 'crm-customers') as { url: string; every: string };
    expect(crm.url).toBe('http://127.0.0.1:41000/api/customers/count');
    expect(crm.every).toBe('1s');
    expect(catalog.flows.find((f) => f.id === 'erp-cpq-product-sync')?.schedule?.every).toBe('1s');
    expect(catalog.classes.find((c) => c.id === 'batch')?.staleAfter).toBe('6s');
    expect(catalog.domains.find((d) => d.id === 'customer')?.drift.settle).toBe('4500ms');
    expect(text).toContain('# The demo enterprise');
  });

  // Regression: at the end-to-end tests' pace (0.05) the probes ran every 500 ms, which a catalog may not ask for (1 s
  // or more); the demo then failed to start.
  it('keeps probe periods at 1 s or more at any pace, staying valid', () => {
    const text = renderCatalog(readDemoCatalog(), { endpoints, timeScale: 0.05 });
    const { problems, catalog } = parseCatalog([{ file: 'rendered.yaml', text }]);
    expect(problems).toEqual([]);
    expect(new Set(catalog.probes.map((p) => (p as { every?: string }).every))).toEqual(new Set(['1s']));
  });

  it('refuses a probe on a host the demo does not serve', () => {
    const text = readDemoCatalog().replace('http://crm.demo.local/api/customers/count', 'http://nowhere.demo.local/count');
    expect(() => renderCatalog(text, { endpoints, timeScale: 1 })).toThrow('Probe crm-customers names nowhere.demo.local, which the demo does not serve.');
  });
});
