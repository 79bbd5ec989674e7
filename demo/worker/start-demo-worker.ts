import { Worker } from 'node:worker_threads';
import type { DemoEstate, DemoOptions } from '../start-demo.ts';
import type { FaultKind } from '../faults/fault-switches.ts';
import type { DemoWorkerData, FromWorker, ToWorker } from './messages.ts';

/**
 * Runs the demo estate on its own thread: its services and integrations keep their own event
 * loop, so the latency they report is theirs, not the time Weft's embedded engine holds the main
 * thread. Same interface as the in-process estate.
 */
export function startDemoWorker(options: Omit<DemoOptions, 'logger'> & { logLevel: string }): Promise<DemoEstate> {
  const data: DemoWorkerData = {
    otlpUrl: options.otlpUrl,
    otlpToken: options.otlpToken,
    lineageUrl: options.lineageUrl,
    workDir: options.workDir,
    faults: options.faults,
    timeScale: options.timeScale ?? 1,
    propagation: options.propagation,
    seed: options.seed,
    logLevel: options.logLevel,
  };
  const worker = new Worker(new URL('./boot.mjs', import.meta.url), { workerData: data });
  const send = (message: ToWorker) => worker.postMessage(message);
  const waiters = new Map<string, () => void>();
  let nextFlush = 0;
  let active: FaultKind[] = [];

  return new Promise<DemoEstate>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`The demo estate's worker exited (code ${code}) before it was ready.`)));
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'failed') reject(new Error(`The demo estate did not start: ${message.message}`));
      else if (message.type === 'flushed') waiters.get(`flush:${message.id}`)?.();
      else if (message.type === 'stopped') waiters.get('stop')?.();
      else if (message.type === 'ready') {
        active = message.faults;
        worker.removeAllListeners('error');
        worker.removeAllListeners('exit');
        resolve({
          catalogFile: message.catalogFile,
          systems: message.systems,
          activeFaults: () => [...active],
          setFault(kind, on) {
            active = on ? [...new Set([...active, kind])] : active.filter((k) => k !== kind);
            send({ type: 'set-fault', kind, on });
          },
          setLineageUrl: (url) => send({ type: 'lineage-url', url }),
          flush: () =>
            new Promise<void>((done) => {
              const id = nextFlush++;
              waiters.set(`flush:${id}`, () => {
                waiters.delete(`flush:${id}`);
                done();
              });
              send({ type: 'flush', id });
            }),
          stop: async () => {
            await new Promise<void>((done) => {
              const timer = setTimeout(done, 10_000);
              waiters.set('stop', () => {
                clearTimeout(timer);
                done();
              });
              send({ type: 'stop' });
            });
            await worker.terminate();
          },
        });
      }
    });
  });
}
