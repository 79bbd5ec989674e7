import { describe, expect, it } from 'vitest';
import { validateProbeSections, type ProbeSpec, type ReconcileSpec } from './probes.ts';

const base = { systems: [{ id: 'crm' }, { id: 'erp' }], domains: [{ id: 'customer' }] };

describe('validateProbeSections', () => {
  it('accepts probes and reconciliations that reference what exists', () => {
    const probes: ProbeSpec[] = [{ id: 'c', kind: 'sql', system: 'crm', domain: 'customer', every: '1m', dsn: 'env:CRM_DSN', query: 'select 1' }];
    const reconciliations: ReconcileSpec[] = [
      { id: 'r', key: 'id', columns: ['a'], left: { system: 'crm', dsn: 'env:A', table: 't' }, right: { system: 'erp', dsn: 'env:B', table: 't' } },
    ];
    expect(validateProbeSections({ ...base, probes, reconciliations })).toEqual([]);
  });

  it('names each problem by path', () => {
    const probes = [
      { id: 'a', kind: 'sql', system: 'nope', domain: 'nada', every: '1m', cron: '* * * * *', url: 'postgres://u:pw@h/db', query: 'q' },
      { id: 'a', kind: 'http', system: 'crm', cron: 'not a cron', url: 'http://x' },
      { id: 'b', kind: 'amqp-queue', system: 'crm', url: 'amqp://g:g@h', queue: 'q' },
    ] as ProbeSpec[];
    const reconciliations = [
      { id: 'r', key: 'id', left: { system: 'crm', table: 't' }, right: { system: 'erp', dsn: 'env:B', table: 't', columns: ['x', 'y'] } },
    ] as ReconcileSpec[];
    expect(validateProbeSections({ ...base, probes, reconciliations })).toEqual([
      { path: 'probes[0].system', message: 'unknown system "nope": declare it under systems' },
      { path: 'probes[0].domain', message: 'unknown domain "nada": declare it under domains' },
      { path: 'probes[0].cron', message: 'give either every or cron, not both' },
      { path: 'probes[0].url', message: 'the url must not carry a password: use password: env:NAME' },
      { path: 'probes[1].id', message: 'probe id "a" is used twice' },
      { path: 'probes[1].cron', message: '"not a cron" is not a cron expression (five or six fields, UTC)' },
      { path: 'probes[2].every', message: 'a probe needs a schedule: every: 1m, or cron: "*/5 * * * *"' },
      { path: 'probes[2].url', message: 'the url must not carry a password: use password: env:NAME' },
      { path: 'reconciliations[0].columns', message: 'name the compared columns (columns: [name, email]) or an updated-at column (updatedAt: updated_at)' },
      { path: 'reconciliations[0].left.dsn', message: 'a database needs dsn: env:NAME, or url: postgres://user@host/db with password: env:NAME' },
      { path: 'reconciliations[0].right.columns', message: 'lists 2 columns; the reconciliation compares 0' },
    ]);
  });
  // Regression: `every: 0s` (or 1ms) was taken, and a probe still running skipped each tick with a warning: a
  // "tick skipped" line every millisecond; `every: 30d` did not fit a timer, which ran the probe at once, over and over.
  it('takes an every of 1s to 24.8 days (with its jitter), for probes and reconciliations alike', () => {
    const probe = (every: string, jitter?: string) =>
      ({ id: 'c', kind: 'sql', system: 'crm', every, ...(jitter ? { jitter } : {}), dsn: 'env:CRM_DSN', query: 'select 1' }) as ProbeSpec;
    const rec = (every: string) =>
      ({
        id: 'r',
        key: 'id',
        columns: ['a'],
        every,
        left: { system: 'crm', dsn: 'env:A', table: 't' },
        right: { system: 'erp', dsn: 'env:B', table: 't' },
      }) as ReconcileSpec;
    const problems = (probes: ProbeSpec[], reconciliations: ReconcileSpec[] = []) => validateProbeSections({ ...base, probes, reconciliations });
    for (const every of ['0s', '1ms', '0.0001ms', '999ms'])
      expect(problems([probe(every)]), every).toEqual([
        { path: 'probes[0].every', message: `every: ${every} is shorter than 1s: the runs would follow each other back to back; write every: 1s or more` },
      ]);
    expect(problems([], [rec('0s')])).toEqual([
      { path: 'reconciliations[0].every', message: 'every: 0s is shorter than 1s: the runs would follow each other back to back; write every: 1s or more' },
    ]);
    for (const every of ['25d', '99999999999999999999d'])
      expect(problems([probe(every)]), every).toEqual([
        {
          path: 'probes[0].every',
          message: `every: ${every} is longer than a timer holds (24.8 days), which would run it at once, over and over; write a cron expression instead (cron: "0 3 1 * *" runs it monthly)`,
        },
      ]);
    expect(problems([probe('24d', '1d')])[0]?.message).toMatch(/^every: 24d with jitter: 1d is longer than a timer holds/);
    expect(problems([probe('1s'), { ...probe('24d', '10h'), id: 'd' }], [rec('1h')])).toEqual([]);
  });
});

describe('reconciliation timeZone', () => {
  const catalog = (zone: string) =>
    [
      'systems: [{ id: crm }, { id: erp }]',
      'reconciliations:',
      '  - id: r',
      '    key: id',
      '    columns: [placed_at]',
      '    left: { system: crm, dsn: "env:A", table: orders }',
      `    right: { system: erp, dsn: "env:B", table: orders, timeZone: ${JSON.stringify(zone)} }`,
    ].join('\n');
  it('takes an IANA name, UTC or an offset, and nothing that could reach SQL otherwise', async () => {
    const { parseCatalog, formatProblem } = await import('./index.ts');
    const problems = (zone: string) => parseCatalog([{ file: 'estate.yaml', text: catalog(zone) }]).problems.map(formatProblem);
    for (const zone of ['Europe/Berlin', 'America/Argentina/Buenos_Aires', 'UTC', '+01:00', '-03:30', 'Etc/GMT+5']) expect(problems(zone), zone).toEqual([]);
    for (const zone of ["Europe/Berlin'; DROP TABLE x; --", '+1', '25:00', '', 'a/b/c/d']) expect(problems(zone), zone).not.toEqual([]);
  });
});
