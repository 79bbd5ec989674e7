import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { ERR_REPORT_BUILD } from '../errors.ts';
import type { BuildJob, BuildOutput } from './build-job.ts';
import { piecesOf } from './job-pieces.ts';
import type { FromWorker, ToWorker } from './worker-main.ts';

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);
/**
 * How long a worker that built a report waits for the next one before it ends (ms). Starting one loads the TypeScript
 * loader, pdfkit and ECharts again, 1–2 CPU-s; a schedule's reports and a user's exports come in bursts.
 */
export const WORKER_IDLE_MS = 30_000;

/** Workers that finished a job and wait for another, each with the timer that ends it. */
const idle: Array<{ worker: Worker; timer: NodeJS.Timeout }> = [];

function takeWorker(): Worker {
  const kept = idle.pop();
  if (!kept) {
    const worker = new Worker(ENTRY);
    // An idle worker that fails or stops leaves the pool; an error while a job runs is that job's (buildInWorker).
    worker.on('error', () => undefined);
    worker.once('exit', () => {
      const i = idle.findIndex((e) => e.worker === worker);
      if (i >= 0) idle.splice(i, 1)[0].timer.close();
    });
    return worker;
  }
  clearTimeout(kept.timer);
  kept.worker.ref();
  return kept.worker;
}

/** Keeps a worker whose job ended well for the next job, for WORKER_IDLE_MS; it does not keep the process alive. */
function keepWorker(worker: Worker): void {
  worker.unref();
  const entry = { worker, timer: setTimeout(() => end(), WORKER_IDLE_MS).unref() };
  const end = () => {
    const i = idle.indexOf(entry);
    if (i >= 0) idle.splice(i, 1);
    void worker.terminate();
  };
  idle.push(entry);
}

/**
 * Builds a report's bundle (`runBuildJob`) in a worker thread, so that assembling, rendering the PDF, hashing,
 * signing and zipping never hold the event loop the collector, the analyzer and the API share. The data is sent in
 * pieces, yielding to the loop between them; the zip comes back transferred. A worker that answered is kept for the
 * next job for WORKER_IDLE_MS; one that failed or stopped is ended.
 * Rejects with ERR_REPORT_BUILD (naming what failed) when the build throws or the worker stops without an answer.
 */
export async function buildInWorker(job: BuildJob): Promise<BuildOutput> {
  const worker = takeWorker();
  let healthy = false;
  let onMessage: ((message: FromWorker) => void) | undefined;
  let onError: ((err: Error) => void) | undefined;
  let onExit: ((code: number) => void) | undefined;
  try {
    const answer = new Promise<BuildOutput>((resolve, reject) => {
      onMessage = (message) => {
        if (message.kind === 'done') {
          healthy = true;
          resolve({ zip: message.zip, manifestSha256: message.manifestSha256 });
        } else reject(ERR_REPORT_BUILD(message.message));
      };
      onError = (err) => reject(ERR_REPORT_BUILD(err.message));
      onExit = (code) => reject(ERR_REPORT_BUILD(`the report worker stopped (exit code ${code}) before it answered`));
      worker.once('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
    });
    // A failure while the pieces are sent (the worker died) is answered by `answer`; never left unhandled meanwhile.
    answer.catch(() => undefined);
    for (const piece of piecesOf(job.data as unknown as Record<string, unknown>)) {
      worker.postMessage({ kind: 'piece', piece } satisfies ToWorker);
      await yieldToLoop();
    }
    worker.postMessage({ kind: 'build', meta: job.meta, key: job.key } satisfies ToWorker);
    return await answer;
  } finally {
    if (onMessage) worker.off('message', onMessage);
    if (onError) worker.off('error', onError);
    if (onExit) worker.off('exit', onExit);
    // A worker whose build failed may hold half a job's state: it ends, and the next job starts a new one.
    if (healthy) keepWorker(worker);
    else await worker.terminate();
  }
}
