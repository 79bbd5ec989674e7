import { describe, expect, it } from 'vitest';
import { rulesFor } from '../../alerting/index.ts';
import { parseCatalog } from '../../core/catalog/index.ts';
import { ruleView } from './alert-rule-view.ts';

const H = 3_600_000;

describe('ruleView (GET /api/v1/alerts/rules)', () => {
  // Regression: the rules list said no threshold at all, so a cron flow's allowed silence (twice its longest gap
  // between ticks) and the derived telemetry-gap of an all-scheduled estate could not be read anywhere.
  it("shows each rule's threshold, per flow when it is per flow", () => {
    const yaml = [
      'owners: [{ id: icoe }]',
      'systems:',
      '  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }',
      '  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }',
      'flows:',
      '  - { id: nightly, source: crm, target: erp, owner: icoe, schedule: { cron: "0 2 * * *" } }',
      '  - { id: office, source: erp, target: crm, owner: icoe, schedule: { cron: "0 9-17 * * 1-5" } }',
      '  - { id: leap, source: crm, target: erp, owner: icoe, schedule: { cron: "0 0 29 2 *" }, runtime: { service: leap } }',
      '',
    ].join('\n');
    const { catalog, problems } = parseCatalog([{ file: 'c.yaml', text: yaml }]);
    expect(problems).toEqual([]);
    const views = new Map(rulesFor(catalog).map((r) => [r.id, ruleView(r)]));
    expect(views.get('flow-stale')).toMatchObject({
      threshold: null,
      flowThresholds: [
        { flow: 'nightly', threshold: 48 * H },
        { flow: 'office', threshold: 128 * H },
        { flow: 'leap', threshold: 2 * 35_064 * H },
      ],
    });
    // Every flow is scheduled: the intake may be silent for the shortest allowed silence.
    expect(views.get('telemetry-gap')).toMatchObject({ threshold: 48 * H, flowThresholds: [] });
    // No threshold for an unwatched flow (no class, no latency objective).
    expect(views.get('flow-latency-p95')?.flowThresholds).toEqual([
      { flow: 'nightly', threshold: null },
      { flow: 'office', threshold: null },
      { flow: 'leap', threshold: null },
    ]);
  });
});
