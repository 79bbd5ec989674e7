/**
 * Integrations whose HTTP calls are answered with redirects (analyzer/flows/redirect-follow-ups.test.ts), run as
 *   node --require @opentelemetry/auto-instrumentations-node/register integration.cjs NAME
 * with OTEL_SERVICE_NAME=NAME and the OTLP endpoint in the environment: traced by the official instrumentations only
 * (undici for fetch, http for node-fetch), each run inside one root span (none for a name ending in -noroot).
 * REDIRECT_CRM, REDIRECT_ERP and REDIRECT_BILLING are the base URLs of the three services. CommonJS on purpose: the register hook patches require().
 */
'use strict';
const api = require('@opentelemetry/api');
// node-fetch is an ES module: its `import 'node:http'` passes no require hook, so load http here first for
// instrumentation-http to patch it (as any CommonJS code of the process that requires http does).
require('node:http');

const env = process.env;
const tracer = api.trace.getTracer('redirects');

/** Sends a request with `fetch` (global, or node-fetch's), reads the answer, and throws on a failure. */
async function call(fetchFn, method, url, body) {
  const init = body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const res = await fetchFn(url, init);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status}`);
}

/** Reads the CRM, creates the order in the ERP at `erpPath` with `method` (redirected there), posts the invoice. */
const copy = (fetchFn, method, erpPath) => async () => {
  await call(fetchFn, 'GET', `${env.REDIRECT_CRM}/api/customers`);
  await call(fetchFn, method, `${env.REDIRECT_ERP}${erpPath}`, { id: 1 });
  await call(fetchFn, 'POST', `${env.REDIRECT_BILLING}/api/invoices`, { id: 1 });
};
const nodeFetch = async (...args) => (await import('node-fetch')).default(...args);

const integrations = {
  /** The ERP answers the create 303 See Other; fetch follows with a GET of the order. */
  'see-other-sync': copy(fetch, 'POST', '/api/orders?answer=303'),
  /** The ERP answers the create 302 Found (fetch turns a POST so redirected into a GET). */
  'found-sync': copy(fetch, 'POST', '/api/orders?answer=302'),
  /** An update answered 303 to the order, whose GET is answered 302 to the ERP's file host: a chain. */
  'chain-sync': copy(fetch, 'PUT', '/api/orders/42?answer=303&then=302'),
  /** The same 303 to node-fetch over Node's http (instrumentation-http). */
  'node-see-other-sync': copy(nodeFetch, 'POST', '/api/orders?answer=303'),
  /** Two creates sent together, each answered 303 (fetch follows each with a GET of its order), then the invoice. */
  'parallel-see-other-sync': async () => {
    await call(fetch, 'GET', `${env.REDIRECT_CRM}/api/customers`);
    const order = (id) => call(fetch, 'POST', `${env.REDIRECT_ERP}/api/orders?answer=303`, { id });
    await Promise.all([order(1), order(2)]);
    await call(fetch, 'POST', `${env.REDIRECT_BILLING}/api/invoices`, { id: 1 });
  },
  /** see-other-sync without a root span: every call a trace of its own (fetch follows in the context it was called in). */
  'see-other-sync-noroot': copy(fetch, 'POST', '/api/orders?answer=303'),
  /** A create answered 307 Temporary Redirect: fetch repeats the POST on the ERP's other node (a write, as it was). */
  'temporary-sync': copy(fetch, 'POST', '/api/orders?answer=307'),
  /** The CRM's export answered 302 to its file host: the GET there is the read. */
  'export-sync': async () => {
    await call(fetch, 'GET', `${env.REDIRECT_CRM}/api/export`);
    await call(fetch, 'POST', `${env.REDIRECT_ERP}/api/customers`, [{ id: 'c-1' }]);
  },
};

async function main() {
  const name = process.argv[2];
  const run = integrations[name];
  if (!run) throw new Error(`unknown integration ${name}; one of ${Object.keys(integrations).join(', ')}`);
  if (name.endsWith('-noroot')) return run();
  await tracer.startActiveSpan(`run ${name}`, async (span) => {
    try {
      await run();
    } finally {
      span.end();
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
