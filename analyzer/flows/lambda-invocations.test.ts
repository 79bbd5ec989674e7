import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { parseCatalog } from '../../core/catalog/load.ts';
import { httpCall, sendSpans, type SpanSpec } from '../../test/otel.ts';
import type { Analyzer } from '../index.ts';
import { flowEdges, MISREADING_KINDS, openFindingTitles, testAnalyzer } from '../test/test-analyzer.ts';

const { CLIENT, SERVER } = api.SpanKind;
const MIN = 60_000;
const LAMBDA = 'https://lambda.eu-west-1.amazonaws.com';

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: orders-fn, owner: icoe, match: { urlPrefixes: ["${LAMBDA}/2015-03-31/functions/orders-fn"] } }
  - { id: invoices-fn, owner: icoe, match: { urlPrefixes: ["${LAMBDA}/2015-03-31/functions/invoices-fn/"] } }
  - { id: orders-app, owner: icoe, match: { urlPrefixes: ["https://orders-app.azurewebsites.net/api/orders"] } }
  - { id: invoices-app, owner: icoe, match: { urlPrefixes: ["https://invoices-app.azurewebsites.net/api/"] } }
  - { id: orders-gcf, owner: icoe, match: { urlPrefixes: ["https://europe-west1-acme.cloudfunctions.net/orders"] } }
  - { id: invoices-gcf, owner: icoe, match: { urlPrefixes: ["https://europe-west1-acme.cloudfunctions.net/invoices"] } }
flows:
  - { id: node-orders, source: crm, target: orders-fn, owner: icoe, runtime: { service: node-orders } }
  - { id: node-invoices, source: crm, target: invoices-fn, owner: icoe, runtime: { service: node-invoices } }
  - { id: arn-orders, source: crm, target: orders-fn, owner: icoe, runtime: { service: arn-orders } }
  - { id: alias-invoices, source: crm, target: invoices-fn, owner: icoe, runtime: { service: alias-invoices } }
  - { id: http-orders, source: crm, target: orders-fn, owner: icoe, runtime: { service: http-orders } }
  - { id: http-invoices, source: crm, target: invoices-fn, owner: icoe, runtime: { service: http-invoices } }
  - { id: java-orders, source: crm, target: orders-fn, owner: icoe, runtime: { service: java-orders } }
  - { id: java-invoices, source: crm, target: invoices-fn, owner: icoe, runtime: { service: java-invoices } }
  - { id: python-orders, source: crm, target: orders-fn, owner: icoe, runtime: { service: python-orders } }
  - { id: python-invoices, source: crm, target: invoices-fn, owner: icoe, runtime: { service: python-invoices } }
  - { id: azure-orders, source: crm, target: orders-app, owner: icoe, runtime: { service: azure-orders } }
  - { id: azure-invoices, source: crm, target: invoices-app, owner: icoe, runtime: { service: azure-invoices } }
  - { id: gcf-orders, source: crm, target: orders-gcf, owner: icoe, runtime: { service: gcf-orders } }
  - { id: gcf-invoices, source: crm, target: invoices-gcf, owner: icoe, runtime: { service: gcf-invoices } }
`;

/** The Invoke URL the aws-sdk sends a function's name (or ARN, its colons escaped as the SDK does) to. */
const invokeUrl = (fn: string, qualifier?: string) =>
  `${LAMBDA}/2015-03-31/functions/${encodeURIComponent(fn)}/invocations${qualifier ? `?Qualifier=${qualifier}` : ''}`;

/**
 * @opentelemetry/instrumentation-aws-sdk's span of a Lambda Invoke (its lambda service extension: faas.invoked_name is the
 * FunctionName parameter as given), with instrumentation-http's POST under it.
 */
const nodeInvoke = (fn: string, qualifier?: string): SpanSpec => ({
  name: 'Lambda.Invoke',
  kind: CLIENT,
  attributes: {
    'rpc.system': 'aws-api',
    'rpc.service': 'Lambda',
    'rpc.method': 'Invoke',
    'aws.region': 'eu-west-1',
    'faas.invoked_name': fn,
    'faas.invoked_provider': 'aws',
    'faas.invoked_region': 'eu-west-1',
  },
  children: [httpCall('POST', invokeUrl(fn, qualifier))],
});

/** opentelemetry-instrumentation-botocore's span of an Invoke: the same attributes, and no HTTP span under it. */
const pythonInvoke = (fn: string): SpanSpec => ({
  name: 'Lambda.Invoke',
  kind: CLIENT,
  attributes: {
    'rpc.system': 'aws-api',
    'rpc.service': 'Lambda',
    'rpc.method': 'Invoke',
    'aws.region': 'eu-west-1',
    'faas.invoked_name': fn,
    'faas.invoked_provider': 'aws',
    'faas.invoked_region': 'eu-west-1',
    'http.status_code': 200,
  },
});

/** The Java agent's span of an Invoke (AWS SDK 2.x): the RPC and its HTTP request on one span. */
const javaInvoke = (fn: string): SpanSpec => ({
  name: 'Lambda.Invoke',
  kind: CLIENT,
  attributes: {
    'rpc.system': 'aws-api',
    'rpc.service': 'Lambda',
    'rpc.method': 'Invoke',
    'http.request.method': 'POST',
    'url.full': invokeUrl(fn),
    'server.address': 'lambda.eu-west-1.amazonaws.com',
    'http.response.status_code': 200,
  },
});

describe('serverless function invocations', () => {
  let h: Harness;
  let analyzer: Analyzer;
  const t0 = Date.now() - 5 * MIN;
  beforeAll(async () => {
    h = await startHarness();
    const run = (service: string, call: SpanSpec) =>
      sendSpans({ url: h.collector.url, serviceName: service }, [
        { name: 'POST /sync', kind: SERVER, start: t0, children: [httpCall('GET', 'https://crm.internal/api/orders'), call] },
      ]);
    await run('node-orders', nodeInvoke('orders-fn'));
    await run('node-invoices', nodeInvoke('invoices-fn'));
    // The function named by its ARN, with an alias; by its name and a qualifier.
    await run('arn-orders', nodeInvoke('arn:aws:lambda:eu-west-1:123456789012:function:orders-fn:prod'));
    await run('alias-invoices', nodeInvoke('invoices-fn:live', 'live'));
    // Only the HTTP request, the function in its path.
    await run('http-orders', httpCall('POST', invokeUrl('orders-fn')));
    await run('http-invoices', httpCall('POST', invokeUrl('123456789012:function:invoices-fn', '7')));
    await run('java-orders', javaInvoke('orders-fn'));
    await run('java-invoices', javaInvoke('arn:aws:lambda:eu-west-1:123456789012:function:invoices-fn'));
    await run('python-orders', pythonInvoke('orders-fn'));
    await run('python-invoices', pythonInvoke('arn:aws:lambda:eu-west-1:123456789012:function:invoices-fn:prod'));
    // Functions no system documents: each an unknown system of its own.
    await run('refunds', nodeInvoke('refunds-fn'));
    await run('refunds', pythonInvoke('payouts-fn'));
    // Azure Functions and Google Cloud Functions invoked over HTTP: their host (and path) names the function already.
    await run('azure-orders', httpCall('POST', 'https://orders-app.azurewebsites.net/api/orders?code=k'));
    await run('azure-invoices', httpCall('POST', 'https://invoices-app.azurewebsites.net/api/invoices'));
    await run('gcf-orders', httpCall('POST', 'https://europe-west1-acme.cloudfunctions.net/orders'));
    await run('gcf-invoices', httpCall('POST', 'https://europe-west1-acme.cloudfunctions.net/invoices'));
    await h.collector.flush();
    analyzer = testAnalyzer(h.store, catalogYaml, { lateMs: 1 });
    expect((await analyzer.runNow()).errors).toEqual([]);
  }, 240_000);
  afterAll(async () => {
    await analyzer?.stop();
    await h?.close();
  });

  it('tells two AWS Lambda functions in one region apart, however the call names them', async () => {
    const edges = await flowEdges(analyzer);
    for (const service of ['node', 'arn', 'http', 'java', 'python'])
      expect(edges.filter((e) => e.startsWith(`${service}-`))).toEqual(
        service === 'arn' ? ['arn-orders crm -> orders-fn'] : [`${service}-invoices crm -> invoices-fn`, `${service}-orders crm -> orders-fn`],
      );
    expect(edges).toContain('alias-invoices crm -> invoices-fn');
  });

  it('tells Azure Functions apps and Google Cloud Functions apart by their URLs', async () => {
    const edges = await flowEdges(analyzer);
    expect(edges.filter((e) => /^(azure|gcf)-/.test(e))).toEqual([
      'azure-invoices crm -> invoices-app',
      'azure-orders crm -> orders-app',
      'gcf-invoices crm -> invoices-gcf',
      'gcf-orders crm -> orders-gcf',
    ]);
  });

  it('reports nothing misread, and each function no system documents as an unknown system of its own', async () => {
    expect((await openFindingTitles(analyzer, [...MISREADING_KINDS])).sort()).toEqual([
      `Undocumented flow crm → unknown:lambda.eu-west-1.amazonaws.com/2015-03-31/functions/payouts-fn (refunds)`,
      `Undocumented flow crm → unknown:lambda.eu-west-1.amazonaws.com/2015-03-31/functions/refunds-fn (refunds)`,
      `Unknown system lambda.eu-west-1.amazonaws.com/2015-03-31/functions/payouts-fn is used by refunds`,
      `Unknown system lambda.eu-west-1.amazonaws.com/2015-03-31/functions/refunds-fn is used by refunds`,
    ]);
  });
});

describe('a urlPrefixes rule naming an AWS Lambda function', () => {
  const warnings = (prefix: string) =>
    parseCatalog([{ file: 'c.yaml', text: `systems:\n  - { id: fn, match: { urlPrefixes: ["${prefix}"] } }\n` }]).warnings.map((w) => w.message);

  it('is not warned of as a prefix too deep to match, as the Invoke URL up to the function', () => {
    expect(warnings(`${LAMBDA}/2015-03-31/functions/orders-fn`)).toEqual([]);
    expect(warnings(`${LAMBDA}/2015-03-31/functions/orders-fn/`)).toEqual([]);
  });

  it('is warned of, with the prefix to write, when it goes past the function or names another API version', () => {
    const told = `an AWS Lambda call is kept as /2015-03-31/functions/<function>, so it can never match (use "${LAMBDA}/2015-03-31/functions/orders-fn")`;
    expect(warnings(`${LAMBDA}/2015-03-31/functions/orders-fn/invocations`)).toEqual([`"${LAMBDA}/2015-03-31/functions/orders-fn/invocations": ${told}`]);
    expect(warnings(`${LAMBDA}/2021-11-15/functions/orders-fn`)).toEqual([`"${LAMBDA}/2021-11-15/functions/orders-fn": ${told}`]);
  });
});
