// The report worker thread's entry. Weft runs its TypeScript sources through tsx, and a worker thread does not
// inherit the main thread's loader: it registers its own before loading the worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');
