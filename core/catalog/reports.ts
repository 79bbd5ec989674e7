/**
 * The `reports` section of the estate catalog: compliance reports written on a schedule (reports/).
 * Each entry writes an evidence bundle for the last `period` to `directory` on its cron schedule and
 * e-mails it when `email` is given. SMTP credentials are `env:NAME` references, never stored.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DURATION_PATTERN } from '../time/index.ts';
import { validateCronExpression } from 'cron';
import type { SectionProblem } from './probes.ts';

const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]*$', description: 'lower-case id' });
const Email = Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', description: 'an e-mail address' });

export const ReportScheduleSchema = Type.Object(
  {
    id: Id,
    cron: Type.String({ minLength: 9, description: 'cron expression, UTC: "0 6 * * 1" is Mondays at 06:00' }),
    period: Type.String({
      pattern: DURATION_PATTERN,
      default: '24h',
      description: 'the period each report covers, ending when it runs: 24h, 7d',
    }),
    directory: Type.Optional(Type.String({ minLength: 1, description: 'where bundles are written (default: <data dir>/reports/scheduled)' })),
    email: Type.Optional(
      Type.Object(
        {
          to: Type.Array(Email, { minItems: 1 }),
          from: Type.Optional(Email),
          smtp: Type.String({
            pattern: '^(smtps?://|env:[A-Za-z_][A-Za-z0-9_]*$)',
            description: 'smtp://host:25 (no password), or env:NAME holding the whole URL',
          }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type ReportSchedule = Static<typeof ReportScheduleSchema>;

/** Problems schema validation cannot see: invalid cron expressions and duplicate ids (paths like "reports[0].cron"). */
export function validateReportSchedules(
  catalog: { reports: ReportSchedule[] },
  isCron: (expr: string) => boolean = (expr) => validateCronExpression(expr).valid,
): SectionProblem[] {
  const problems: SectionProblem[] = [];
  const seen = new Set<string>();
  catalog.reports.forEach((r, i) => {
    if (seen.has(r.id)) problems.push({ path: `reports[${i}].id`, message: `report id "${r.id}" is used twice` });
    seen.add(r.id);
    if (!isCron(r.cron))
      problems.push({ path: `reports[${i}].cron`, message: `"${r.cron}" is not a valid cron expression (five or six fields, UTC), e.g. "0 6 * * *"` });
  });
  return problems;
}
