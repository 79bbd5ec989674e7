import { prefetch } from '$lib/api/client.svelte.ts';
import { overviewPaths, overviewSince } from '$lib/overview/requests.ts';

// A single-page app: rendered in the browser, served as index.html for every path.
export const ssr = false;
export const prerender = false;
// A first visit to the overview: its graph needs ECharts, the largest chunk, and its data; ask for
// both with the app itself instead of after the page's own code has loaded.
if (typeof location !== 'undefined' && location.pathname === '/') {
  void import('$lib/components/EChart.svelte');
  for (const path of Object.values(overviewPaths(overviewSince(new URLSearchParams(location.search))))) prefetch(path);
}
