import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../../core/log/logger.ts';
import { startDemo } from '../start-demo.ts';
import type { DemoWorkerData, FromWorker, ToWorker } from './messages.ts';

const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);
const data = workerData as DemoWorkerData;

try {
  const demo = await startDemo({ ...data, logger: createLogger(data.logLevel) });
  port.on('message', (message: ToWorker) => {
    if (message.type === 'set-fault') demo.setFault(message.kind, message.on);
    else if (message.type === 'lineage-url') demo.setLineageUrl(message.url);
    else if (message.type === 'flush') void demo.flush().then(() => post({ type: 'flushed', id: message.id }));
    else if (message.type === 'stop') void demo.stop().then(() => post({ type: 'stopped' }));
  });
  post({ type: 'ready', catalogFile: demo.catalogFile, systems: demo.systems, faults: demo.activeFaults() });
} catch (err) {
  post({ type: 'failed', message: (err as Error).message });
}
