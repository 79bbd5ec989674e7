/**
 * An integration that reads SAP Business One through its Service Layer and writes the CRM, as integrations do: a
 * session login first (`POST /b1s/v2/Login`, which answers the B1SESSION cookie), the business partners read, each
 * contact looked up in the CRM and written there, a logout last. Run as
 *   node --require @opentelemetry/auto-instrumentations-node/register session-login-integration.cjs
 * with OTEL_SERVICE_NAME and the OTLP endpoint in the environment, B1_URL (the Service Layer's base, `…/b1s/v2`) and
 * CRM_URL: the spans are what the official instrumentation (undici, for Node's fetch) makes of it. RUN_ROOT=1 wraps
 * the run in one root span and prints its trace id; without it every call is its own trace.
 * CommonJS on purpose: the register hook patches require().
 */
'use strict';
const api = require('@opentelemetry/api');

const b1 = process.env.B1_URL;
const crm = process.env.CRM_URL;
const json = { 'content-type': 'application/json' };

async function run() {
  const login = await fetch(`${b1}/Login`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ CompanyDB: 'SBODEMOUS', UserName: 'manager', Password: 'secret' }),
  });
  if (!login.ok) throw new Error(`Login: ${login.status}`);
  const cookie = login.headers.get('set-cookie');
  await login.json();
  const partners = (await (await fetch(`${b1}/BusinessPartners?$select=CardCode,CardName`, { headers: { cookie } })).json()).value;
  for (const p of partners) {
    await (await fetch(`${crm}/api/contacts?externalId=${p.CardCode}`)).json();
    const res = await fetch(`${crm}/api/contacts`, { method: 'POST', headers: json, body: JSON.stringify({ externalId: p.CardCode, name: p.CardName }) });
    if (!res.ok) throw new Error(`POST contact: ${res.status}`);
    await res.arrayBuffer();
  }
  await (await fetch(`${b1}/Logout`, { method: 'POST', headers: { cookie } })).arrayBuffer();
}

async function main() {
  if (process.env.RUN_ROOT !== '1') return run();
  await api.trace.getTracer('b1-crm-sync').startActiveSpan('run', async (span) => {
    try {
      await run();
      console.log(span.spanContext().traceId);
    } finally {
      span.end();
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
