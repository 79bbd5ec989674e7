import { describe, expect, it } from 'vitest';
import type { DemoContext } from '../estate/demo-context.ts';
import type { Job } from '../estate/scheduler.ts';
import type { LineageReporter } from '../telemetry/lineage-reporter.ts';
import { installNightlyEtl } from './nightly-etl.ts';

interface Sent {
  eventType: string;
  eventTime: string;
  job: { name: string };
  run: { runId: string };
}

/** One DAG run over an ERP holding `rows` sales orders at a tenth of the `npm start` pace; the events it sent. */
async function oneDagRun(rows: number): Promise<Sent[]> {
  let job: Job | undefined;
  const scale = 0.1;
  const ctx = {
    stores: { erp: { collection: () => ({ count: () => rows }) } },
    scheduler: { add: (j: Job) => void (job = j) },
    faults: { isOn: () => false },
    every: (ms: number) => Math.round(ms * scale),
  } as unknown as DemoContext;
  const sent: Sent[] = [];
  installNightlyEtl(ctx, { emit: (e: object) => void sent.push(e as Sent) } as unknown as LineageReporter);
  await job!.run();
  return sent;
}

describe('nightly ETL (OpenLineage)', () => {
  // Regression: START and COMPLETE were sent at the same instant, so every run of the DAG's tasks
  // showed a 0 ms duration on its flows.
  it("sends each task's COMPLETE after its work, so the run's events bracket its duration", async () => {
    const sent = await oneDagRun(300);
    const time = (task: string, type: string) => Date.parse(sent.find((e) => e.job.name === `nightly_orders.${task}` && e.eventType === type)!.eventTime);
    expect(sent.map((e) => `${e.job.name} ${e.eventType}`)).toEqual([
      'nightly_orders.extract START',
      'nightly_orders.extract COMPLETE',
      'nightly_orders.load START',
      'nightly_orders.load COMPLETE',
    ]);
    // A task works for over a second at the `npm start` pace: over 100 ms at a tenth of it, not 0.
    for (const task of ['extract', 'load']) expect(time(task, 'COMPLETE') - time(task, 'START')).toBeGreaterThanOrEqual(100);
    expect(time('load', 'START')).toBeGreaterThanOrEqual(time('extract', 'COMPLETE'));
  });
});
