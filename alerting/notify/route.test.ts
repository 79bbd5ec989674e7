import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../core/catalog/index.ts';
import { routeAlert } from './route.ts';

function catalog(routes: string) {
  const { catalog: c, problems } = parseCatalog([
    {
      file: 'estate.yaml',
      text: `
owners:
  - { id: icoe, receiver: team-hook }
  - { id: quiet }
receivers:
  - { id: team-hook, type: webhook, url: "http://127.0.0.1:9/team" }
  - { id: catch-all, type: webhook, url: "http://127.0.0.1:9/all" }
routes:
${routes}
`,
    },
  ]);
  if (problems.length) throw new Error(JSON.stringify(problems));
  return c;
}

const receivers = (routes: string, labels: Record<string, string>) =>
  routeAlert(catalog(routes), { alertname: 'flow-stale', ...labels }).map((r) => r.receiver);

describe('routeAlert', () => {
  it('regression: a matching route whose owner has no receiver stops routing (first match wins), it does not fall through to the next route', () => {
    const routes = '  - { match: { severity: high } }\n  - { receiver: catch-all }';
    expect(receivers(routes, { owner: 'quiet', severity: 'high' })).toEqual([]);
    // The same route with an owner that has a receiver: that receiver, and nothing after.
    expect(receivers(routes, { owner: 'icoe', severity: 'high' })).toEqual(['team-hook']);
    // Not matching: on to the next route.
    expect(receivers(routes, { owner: 'quiet', severity: 'low' })).toEqual(['catch-all']);
  });

  it('goes on past a matching route without a receiver only when it says continue', () => {
    const routes = '  - { match: { severity: high }, continue: true }\n  - { receiver: catch-all }';
    expect(receivers(routes, { owner: 'quiet', severity: 'high' })).toEqual(['catch-all']);
    expect(receivers(routes, { owner: 'icoe', severity: 'high' })).toEqual(['team-hook', 'catch-all']);
  });

  it("sends to the owner's receiver when no route matches, and to nobody when a route matched but sent nowhere", () => {
    expect(receivers('  - { match: { severity: critical }, receiver: catch-all }', { owner: 'icoe', severity: 'high' })).toEqual(['team-hook']);
    expect(receivers('  - { match: { severity: high }, continue: true }', { owner: 'quiet', severity: 'high' })).toEqual([]);
  });
});
