// Worker-thread entry of the demo estate: registers the TypeScript loader, then runs the estate.
import { register } from 'tsx/esm/api';

register();
await import('./demo-worker.ts');
