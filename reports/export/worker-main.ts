/**
 * The report worker thread: receives a build job in pieces (`job-pieces.ts`), then `build` with who asked and the
 * key; answers `done` with the zip (its buffer transferred, not copied) or `failed` with the error's message. One job
 * at a time; a worker is used again for the next (`worker-build.ts`). Never opens the store, and must not load it either (libchdb binds one data directory per process, and a
 * thread that loaded it crashes the process when it ends): the data comes in the messages, and nothing this imports
 * may import `clickhouse/` (worker-imports.test.ts).
 */
import { parentPort } from 'node:worker_threads';
import type { ReportData } from '../source/report-data.ts';
import { runBuildJob, type BuildJob } from './build-job.ts';
import { assemblePiece, type Piece } from './job-pieces.ts';

/** What the main thread sends (`worker-build.ts`). */
export type ToWorker = { kind: 'piece'; piece: Piece } | { kind: 'build'; meta: BuildJob['meta']; key: BuildJob['key'] };
/** What the worker answers. */
export type FromWorker = { kind: 'done'; zip: Uint8Array; manifestSha256: string } | { kind: 'failed'; message: string };

const port = parentPort;
if (port) {
  let data: Record<string, unknown> = {};
  port.on('message', (message: ToWorker) => {
    if (message.kind === 'piece') return assemblePiece(data, message.piece);
    const job = { data: data as unknown as ReportData, meta: message.meta, key: message.key };
    // The next job's pieces start a new data set.
    data = {};
    runBuildJob(job).then(
      (out) => port.postMessage({ kind: 'done', zip: out.zip, manifestSha256: out.manifestSha256 } satisfies FromWorker, [out.zip.buffer as ArrayBuffer]),
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        port.postMessage({ kind: 'failed', message: `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` } satisfies FromWorker);
      },
    );
  });
}
