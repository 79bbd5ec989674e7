import { fromChTime, toChTime, type Store } from '../../clickhouse/index.ts';

export type ReportTrigger = 'api' | 'cli' | 'schedule';
export type ReportStatus = 'running' | 'done' | 'failed';

/** One report run as recorded in `weft_report_runs` (migration 071). */
export interface ReportRun {
  id: string;
  trigger: ReportTrigger;
  scheduleId: string;
  actor: string;
  since: string;
  until: string;
  startedAt: string;
  finishedAt: string | null;
  status: ReportStatus;
  error: string;
  /** Where the bundle was written (a path on the Weft host). */
  file: string;
  bytes: number;
  manifestSha256: string;
  emailedTo: string[];
}

interface Row {
  id: string;
  trigger: string;
  schedule_id: string;
  actor: string;
  period_since: string;
  period_until: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  error: string;
  file: string;
  bytes: string | number;
  manifest_sha256: string;
  emailed_to: string[];
}

const toRun = (r: Row): ReportRun => ({
  id: r.id,
  trigger: r.trigger as ReportTrigger,
  scheduleId: r.schedule_id,
  actor: r.actor,
  since: fromChTime(r.period_since),
  until: fromChTime(r.period_until),
  startedAt: fromChTime(r.started_at),
  finishedAt: r.finished_at ? fromChTime(r.finished_at) : null,
  status: r.status as ReportStatus,
  error: r.error,
  file: r.file,
  bytes: Number(r.bytes),
  manifestSha256: r.manifest_sha256,
  emailedTo: r.emailed_to,
});

/** Report runs in ClickHouse: one row per state of a run, the latest version wins. */
export class ReportRunStore {
  private lastVersion = 0;
  constructor(private readonly store: Store) {}

  async write(run: ReportRun): Promise<void> {
    this.lastVersion = Math.max(this.lastVersion + 1, Date.now() * 1000);
    await this.store.client.insert({
      table: 'weft_report_runs',
      format: 'JSONEachRow',
      values: [
        {
          id: run.id,
          trigger: run.trigger,
          schedule_id: run.scheduleId,
          actor: run.actor,
          period_since: toChTime(new Date(run.since)),
          period_until: toChTime(new Date(run.until)),
          started_at: toChTime(new Date(run.startedAt)),
          finished_at: run.finishedAt ? toChTime(new Date(run.finishedAt)) : null,
          status: run.status,
          error: run.error,
          file: run.file,
          bytes: run.bytes,
          manifest_sha256: run.manifestSha256,
          emailed_to: run.emailedTo,
          version: this.lastVersion,
        },
      ],
    });
  }

  async get(id: string): Promise<ReportRun | undefined> {
    const rows = await this.store.client
      .query({ query: 'SELECT * FROM weft_report_runs FINAL WHERE id = {id:String}', query_params: { id }, format: 'JSONEachRow' })
      .then((r) => r.json<Row>());
    return rows[0] ? toRun(rows[0]) : undefined;
  }

  /** The end of the latest period a schedule's runs covered (any outcome), or null when it never ran. */
  async lastScheduledUntil(scheduleId: string): Promise<string | null> {
    const rows = await this.store.client
      .query({
        query: `SELECT max(period_until) AS until, count() AS n FROM weft_report_runs FINAL
                WHERE trigger = 'schedule' AND schedule_id = {scheduleId:String}`,
        query_params: { scheduleId },
        format: 'JSONEachRow',
      })
      .then((r) => r.json<{ until: string; n: string | number }>());
    return rows[0] && Number(rows[0].n) > 0 ? fromChTime(rows[0].until) : null;
  }

  async list(limit = 50): Promise<ReportRun[]> {
    const rows = await this.store.client
      .query({ query: 'SELECT * FROM weft_report_runs FINAL ORDER BY started_at DESC LIMIT {limit:UInt32}', query_params: { limit }, format: 'JSONEachRow' })
      .then((r) => r.json<Row>());
    return rows.map(toRun);
  }
}
