export { buildApiApp } from './app.ts';
export type { ApiAppOptions } from './app.ts';
export { startApi } from './server.ts';
export type { ApiServer } from './server.ts';
export type { ApiServices, RoutePluginOptions } from './services.ts';
export { datasetSystem } from './dataset-system.ts';
