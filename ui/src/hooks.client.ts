import { prefetch } from '$lib/api/client.svelte.ts';
import { overviewPaths, overviewSince } from '$lib/overview/requests.ts';

// A first visit to the overview: its graph needs ECharts, the largest chunk, and its data. This module is
// evaluated with the app's entry, before the router has loaded any page's code: ask for both now instead
// of after the layout's and the page's code have loaded.
if (location.pathname === '/') {
  void import('$lib/components/EChart.svelte');
  for (const path of Object.values(overviewPaths(overviewSince(new URLSearchParams(location.search))))) prefetch(path);
}
