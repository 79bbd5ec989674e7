import { join } from 'node:path';
import { CronJob } from 'cron';
import { envRefRefusal, type Catalog, type EnvPolicy, type ReportSchedule } from '../../core/catalog/index.ts';
import type { Logger } from '../../core/log/logger.ts';
import { parseDuration } from '../../core/time/index.ts';
import type { ReportRun } from '../runs/report-runs.ts';
import type { ReportService } from '../service.ts';
import { lastTickAtOrBefore } from './due-tick.ts';
import { deliveryProblem, sendReportEmail, type SendReport } from './email.ts';

export interface ReportSchedules {
  /** Replaces the schedules with the catalog's `reports` section. */
  reload(catalog: Catalog): void;
  /** Runs one schedule now as its most recent due tick (what that cron tick does); resolves with the recorded run. */
  runNow(id: string): Promise<ReportRun | null>;
  stop(): Promise<void>;
}

export interface ScheduleOptions {
  service: ReportService;
  dataDir: string;
  logger: Logger;
  /** Resolves `env:NAME` SMTP references when a report is sent (never stored). */
  env: (name: string) => string | undefined;
  /** Which variables an `env:NAME` SMTP reference may read (default: any but WEFT_*). */
  envPolicy?: EnvPolicy;
  send?: SendReport;
  clock?: { now(): Date };
}

/**
 * The schedule's SMTP URL: as written, or read from the variable its `env:NAME` names. Throws, naming the
 * variable (never its value), when the operator's policy refuses it (always WEFT_*) or it is not set.
 */
function smtpUrl(id: string, ref: string, options: ScheduleOptions): string {
  if (!ref.startsWith('env:')) return ref;
  const name = ref.slice(4);
  const refusal = envRefRefusal(name, options.envPolicy);
  if (refusal) throw new Error(`reports ${id} email.smtp: ${refusal}`);
  const value = options.env(name);
  if (!value) throw new Error(`${ref} is not set in the environment`);
  return value;
}

const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

/**
 * Scheduled reports: one cron job (UTC) per catalog entry. A tick writes the bundle for the `period`
 * that ends at the tick's due time (exactly, so consecutive reports meet) into the schedule's directory and e-mails it when `email` is set; the run is recorded
 * (done, failed, and whom it was e-mailed to or why it was not). A tick never throws and never
 * overlaps the previous one of the same schedule.
 */
export function startReportSchedules(catalog: Catalog, options: ScheduleOptions): ReportSchedules {
  const { service, logger } = options;
  const clock = options.clock ?? { now: () => new Date() };
  const send = options.send ?? sendReportEmail;
  let jobs = new Map<string, CronJob>();
  let specs = new Map<string, ReportSchedule>();
  const running = new Map<string, Promise<ReportRun | null>>();

  const run = async (spec: ReportSchedule): Promise<ReportRun | null> => {
    try {
      // The period ends at the tick the schedule was due, not when the timer fired, so consecutive reports meet exactly.
      const due = lastTickAtOrBefore(spec.cron, clock.now());
      if (!due) throw new Error(`cron "${spec.cron}" was not due in the last five years`);
      const period = {
        since: new Date(due.getTime() - parseDuration(spec.period ?? '24h', `reports.${spec.id}.period`)).toISOString(),
        until: due.toISOString(),
      };
      const file = join(spec.directory ?? join(options.dataDir, 'reports', 'scheduled'), `weft-report-${spec.id}-${stamp(due)}.zip`);
      const result = await service.generate({ period, actor: `schedule:${spec.id}`, trigger: 'schedule', scheduleId: spec.id, file });
      if (!spec.email) return result.run;
      let done: ReportRun;
      try {
        const smtp = smtpUrl(spec.id, spec.email.smtp, options);
        const delivery = await send(spec.email, smtp, result.run, result.zip);
        done = { ...result.run, emailedTo: delivery.accepted, error: deliveryProblem(delivery) };
        if (done.error) logger.error({ schedule: spec.id, err: done.error }, 'scheduled report refused by the SMTP server');
      } catch (err) {
        done = { ...result.run, error: `written, but not e-mailed: ${(err as Error).message}` };
        logger.error({ schedule: spec.id, err: (err as Error).message }, 'scheduled report not e-mailed');
      }
      await service.update(done);
      return done;
    } catch (err) {
      logger.error({ schedule: spec.id, err }, 'scheduled report failed');
      return null;
    }
  };

  const tick = (spec: ReportSchedule): Promise<ReportRun | null> => {
    const current = running.get(spec.id);
    if (current) return current;
    const p = run(spec).finally(() => running.delete(spec.id));
    running.set(spec.id, p);
    return p;
  };

  const schedule = (c: Catalog) => {
    for (const job of jobs.values()) void job.stop();
    jobs = new Map();
    specs = new Map(c.reports.map((r) => [r.id, r]));
    for (const spec of c.reports) {
      try {
        jobs.set(spec.id, CronJob.from({ cronTime: spec.cron, onTick: () => void tick(spec), start: true, timeZone: 'UTC' }));
      } catch (err) {
        logger.error({ schedule: spec.id, err: (err as Error).message }, 'report schedule not started');
      }
    }
    if (c.reports.length) logger.info({ schedules: c.reports.map((r) => `${r.id} (${r.cron})`) }, 'scheduled reports');
  };
  schedule(catalog);

  return {
    reload: schedule,
    async runNow(id) {
      const spec = specs.get(id);
      return spec ? tick(spec) : null;
    },
    async stop() {
      for (const job of jobs.values()) void job.stop();
      jobs = new Map();
      await Promise.allSettled([...running.values()]);
    },
  };
}
