import { describe, expect, it } from 'vitest';
import type { AuditReport } from './audit-report.ts';
import { auditFormats } from './render-audit.ts';

// Regression (break test): `weft audit --format markdown` (for a pull request's comment) wrote a system named in
// telemetry as it was: a peer.service of "md<img src=…>[click](https://evil.example)\n\n# owned" became an image, a
// link and a heading, and broke the table. A cell now shows its text, on one line.
describe('the markdown audit', () => {
  const name = 'md<img src=https://evil.example/p.png>[click](https://evil.example)\n\n# owned *x* `y` a|b';
  const report: AuditReport = {
    version: 1,
    generatedAt: '2026-12-02T12:00:00.000Z',
    window: { since: '2026-12-02T11:00:00.000Z', until: '2026-12-02T12:00:00.000Z' },
    pairing: { pairedUntil: '2026-12-02T12:00:00.000Z', pendingTraces: 0, pendingSpans: 0 },
    catalog: { files: ['estate.yaml'], systems: 1, flows: 0, domains: 0, owners: 0 },
    summary: {
      systems: { total: 2, documented: 1, unknown: 1, observed: 2 },
      flows: { total: 1, documented: 0, undocumented: 1, halves: 0, observed: 1, neverObserved: 0 },
      findings: { total: 1, bySeverity: { info: 0, low: 0, medium: 1, high: 0, critical: 0 }, byKind: { 'unknown-system': 1 } },
    },
    findings: [
      {
        id: 'f1',
        kind: 'unknown-system',
        severity: 'medium',
        title: `Unknown system ${name} is used by crm_sync`,
        subject: { systems: [`unknown:${name}`], flows: [], domains: [] },
        evidence: {},
        hint: 'Declare the system in the catalog.',
      },
    ],
    failOn: null,
    failed: false,
  };

  it('writes a name from telemetry as text in one cell of one row', () => {
    const rows = auditFormats.markdown(report).split('\n');
    const row = rows.find((l) => l.startsWith('| medium |'));
    expect(rows.filter((l) => l.includes('owned'))).toEqual([row]);
    expect(row).toBe(
      '| medium | unknown-system | Unknown system md\\<img src=https://evil.example/p.png\\>\\[click\\]\\(https://evil.example\\) \\# owned \\*x\\* \\`y\\` a\\|b is used by crm\\_sync ' +
        '| unknown:md\\<img src=https://evil.example/p.png\\>\\[click\\]\\(https://evil.example\\) \\# owned \\*x\\* \\`y\\` a\\|b | Declare the system in the catalog. |',
    );
  });
});
