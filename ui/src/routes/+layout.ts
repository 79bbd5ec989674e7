// A single-page app: rendered in the browser, served as index.html for every path.
export const ssr = false;
export const prerender = false;

// The overview's graph needs ECharts, the largest chunk: on a first visit to the overview, start
// fetching it with the app itself instead of after the page's own code has loaded.
if (typeof location !== 'undefined' && location.pathname === '/') void import('$lib/components/EChart.svelte');
