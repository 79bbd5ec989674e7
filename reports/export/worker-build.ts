import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { ERR_REPORT_BUILD } from '../errors.ts';
import type { BuildJob, BuildOutput } from './build-job.ts';
import { piecesOf } from './job-pieces.ts';
import type { FromWorker, ToWorker } from './worker-main.ts';

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

/**
 * Builds a report's bundle (`runBuildJob`) in a worker thread of its own, so that assembling, rendering the PDF,
 * hashing, signing and zipping never hold the event loop the collector, the analyzer and the API share. The data is
 * sent in pieces, yielding to the loop between them; the zip comes back transferred. The worker ends with the job.
 * Rejects with ERR_REPORT_BUILD (naming what failed) when the build throws or the worker stops without an answer.
 */
export async function buildInWorker(job: BuildJob): Promise<BuildOutput> {
  const worker = new Worker(ENTRY);
  try {
    const answer = new Promise<BuildOutput>((resolve, reject) => {
      worker.once('message', (message: FromWorker) => {
        if (message.kind === 'done') resolve({ zip: message.zip, manifestSha256: message.manifestSha256 });
        else reject(ERR_REPORT_BUILD(message.message));
      });
      worker.once('error', (err) => reject(ERR_REPORT_BUILD(err.message)));
      worker.once('exit', (code) => reject(ERR_REPORT_BUILD(`the report worker stopped (exit code ${code}) before it answered`)));
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
    await worker.terminate();
  }
}
