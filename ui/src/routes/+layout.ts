// A single-page app: rendered in the browser, served as index.html for every path.
export const ssr = false;
export const prerender = false;
