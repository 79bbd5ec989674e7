import { fileURLToPath } from 'node:url';

/** Where `npm run build:ui` writes the static UI (SvelteKit, adapter-static); the API serves it at `/`. */
export const uiBuildDir = fileURLToPath(new URL('./build', import.meta.url));
