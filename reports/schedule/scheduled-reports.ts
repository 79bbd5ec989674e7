import { join } from 'node:path';
import { systemActor, type AuditLog } from '../../access/index.ts';
import { CronJob } from 'cron';
import { envRefRefusal, type Catalog, type EnvPolicy, type ReportSchedule } from '../../core/catalog/index.ts';
import type { Logger } from '../../core/log/logger.ts';
import { parseDuration } from '../../core/time/index.ts';
import type { ReportRun } from '../runs/report-runs.ts';
import type { ReportService } from '../service.ts';
import { lastTickAtOrBefore } from './due-tick.ts';
import { deliveryProblem } from '../../core/mail/smtp-delivery.ts';
import { sendReportEmail, type SendReport } from './email.ts';

export interface ReportSchedules {
  /** Replaces the schedules with the catalog's `reports` section. */
  reload(catalog: Catalog): void;
  /** Runs one schedule now as its most recent due tick (what that cron tick does); resolves with the recorded run. */
  runNow(id: string): Promise<ReportRun | null>;
  /**
   * Settles once the start's catch-up is done: each schedule that ran before and whose most recent due tick
   * has no run (Weft was down at the tick) has run that tick, late, with the run saying so.
   */
  caughtUp: Promise<void>;
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
  /**
   * Where each scheduled report is recorded (actor `weft`, action `report.create`) when its run starts, as the API records
   * a person's: a run that then fails is recorded too (its outcome is in the report runs).
   */
  auditLog?: AuditLog;
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

/** A tick run after its time (on start, for a tick missed while Weft was down). */
interface Late {
  due: Date;
  /** The end of the period the schedule's previous run covered. */
  previousUntil: string;
}

/**
 * What a late run's record says: when it was due, and, when the schedule was also due between its previous
 * run and this tick, that those ticks were not run.
 */
function lateNoteOf(due: Date, previousUntil: string, spec: ReportSchedule): string {
  const note = `run late: due at ${due.toISOString()}, when Weft was not running`;
  const before = lastTickAtOrBefore(spec.cron, new Date(due.getTime() - 1));
  return before && before.getTime() > Date.parse(previousUntil)
    ? `${note}; earlier ticks since the previous run (period ending ${previousUntil}) were missed and not run`
    : note;
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
 * overlaps the previous one of the same schedule. On start, a schedule that ran before and whose most
 * recent due tick has no run (Weft was down then) runs that tick at once, its record saying it ran late;
 * earlier missed ticks are named in that record, not run.
 */
export function startReportSchedules(catalog: Catalog, options: ScheduleOptions): ReportSchedules {
  const { service, logger } = options;
  const clock = options.clock ?? { now: () => new Date() };
  const send = options.send ?? sendReportEmail;
  let jobs = new Map<string, CronJob>();
  let specs = new Map<string, ReportSchedule>();
  const running = new Map<string, Promise<ReportRun | null>>();

  const run = async (spec: ReportSchedule, late?: Late): Promise<ReportRun | null> => {
    try {
      // The period ends at the tick the schedule was due, not when the timer fired, so consecutive reports meet exactly.
      const due = late?.due ?? lastTickAtOrBefore(spec.cron, clock.now());
      if (!due) throw new Error(`cron "${spec.cron}" was not due in the last five years`);
      const period = {
        since: new Date(due.getTime() - parseDuration(spec.period ?? '24h', `reports.${spec.id}.period`)).toISOString(),
        until: due.toISOString(),
      };
      const file = join(spec.directory ?? join(options.dataDir, 'reports', 'scheduled'), `weft-report-${spec.id}-${stamp(due)}.zip`);
      // In the audit log once the run is recorded, as the API records a report it starts: a run that then fails is there too.
      const onRecorded = (started: ReportRun) => audit(started, spec, late);
      const result = await service.generate({ period, actor: `schedule:${spec.id}`, trigger: 'schedule', scheduleId: spec.id, file, onRecorded });
      const lateNote = late ? lateNoteOf(due, late.previousUntil, spec) : '';
      if (!spec.email && !lateNote) return result.run;
      let done: ReportRun = { ...result.run, error: lateNote };
      if (spec.email) {
        let emailNote: string;
        try {
          const smtp = smtpUrl(spec.id, spec.email.smtp, options);
          const delivery = await send(spec.email, smtp, result.run, result.zip);
          done = { ...done, emailedTo: delivery.accepted };
          // The bundle left Weft: to whom, as the audit log records a download.
          if (delivery.accepted.length > 0) await recordEmail(result.run, spec, delivery.accepted);
          emailNote = deliveryProblem(delivery);
          if (emailNote) logger.error({ schedule: spec.id, err: emailNote }, 'scheduled report refused by the SMTP server');
        } catch (err) {
          emailNote = `written, but not e-mailed: ${(err as Error).message}`;
          logger.error({ schedule: spec.id, err: (err as Error).message }, 'scheduled report not e-mailed');
        }
        done = { ...done, error: [lateNote, emailNote].filter(Boolean).join('; ') };
      }
      await service.update(done);
      return done;
    } catch (err) {
      logger.error({ schedule: spec.id, err }, 'scheduled report failed');
      return null;
    }
  };

  // In the audit log beside the reports people export: who (Weft, for the schedule), which period, which run. Never rejects.
  const audit = async (started: ReportRun, spec: ReportSchedule, late?: Late) => {
    const detail = { since: started.since, until: started.until, schedule: spec.id, ...(late ? { late: true } : {}) };
    try {
      await options.auditLog?.append(systemActor, 'report.create', started.id, detail);
    } catch (err) {
      logger.error({ schedule: spec.id, err: (err as Error).message }, 'scheduled report not recorded in the audit log');
    }
  };

  // An e-mailed bundle is an export: in the audit log by Weft, with the run, its period and who the server accepted. Never rejects.
  const recordEmail = async (done: ReportRun, spec: ReportSchedule, to: string[]) => {
    const detail = { since: done.since, until: done.until, schedule: spec.id, format: 'bundle', to, manifestSha256: done.manifestSha256, bytes: done.bytes };
    try {
      await options.auditLog?.append(systemActor, 'report.email', done.id, detail);
    } catch (err) {
      logger.error({ schedule: spec.id, err: (err as Error).message }, 'e-mailed report not recorded in the audit log');
    }
  };

  const tick = (spec: ReportSchedule, late?: Late): Promise<ReportRun | null> => {
    const current = running.get(spec.id);
    if (current) return current;
    const p = run(spec, late).finally(() => running.delete(spec.id));
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

  // A tick missed while Weft was down: run the most recent one, late (never the ones before it).
  const catchUp = async (spec: ReportSchedule) => {
    try {
      const due = lastTickAtOrBefore(spec.cron, clock.now());
      const previous = due && (await service.lastScheduledUntil(spec.id));
      if (!due || !previous || Date.parse(previous) >= due.getTime()) return;
      logger.warn({ schedule: spec.id, due: due.toISOString(), previousUntil: previous }, 'scheduled report missed while Weft was down: running it late');
      await tick(spec, { due, previousUntil: previous });
    } catch (err) {
      logger.error({ schedule: spec.id, err: (err as Error).message }, 'scheduled report catch-up failed');
    }
  };
  const caughtUp = Promise.all(catalog.reports.map(catchUp)).then(() => undefined);

  return {
    caughtUp,
    reload: schedule,
    async runNow(id) {
      const spec = specs.get(id);
      return spec ? tick(spec) : null;
    },
    async stop() {
      for (const job of jobs.values()) void job.stop();
      jobs = new Map();
      await caughtUp;
      await Promise.allSettled([...running.values()]);
    },
  };
}
