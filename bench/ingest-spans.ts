import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { api, resources, tracing } from '@opentelemetry/sdk-node';

/**
 * Realistic OTLP request bodies, encoded by the OpenTelemetry SDK's own protobuf serializer:
 * integration spans with 10–20 attributes, a few services, parent/child within traces.
 */
export function encodeBodies(bodies: number, spansPerBody: number): Buffer[] {
  const out: Buffer[] = [];
  const services = ['crm-sync', 'erp-bridge', 'billing-export', 'order-router'];
  for (let b = 0; b < bodies; b++) {
    const exporter = new tracing.InMemorySpanExporter();
    const provider = new tracing.BasicTracerProvider({
      resource: resources.resourceFromAttributes({
        'service.name': services[b % services.length],
        'service.version': '1.4.2',
        'deployment.environment': 'prod',
        'host.name': `node-${b % 7}`,
      }),
      spanProcessors: [new tracing.SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('integration-runtime', '2.3.0');
    const start = Date.now() - 60_000;
    let made = 0;
    while (made < spansPerBody) {
      const root = tracer.startSpan('sync orders', {
        kind: api.SpanKind.SERVER,
        startTime: start + made,
        attributes: {
          'integration.flow': `flow-${made % 13}`,
          'integration.domain': 'order',
          'integration.operation': 'upsert',
          'http.request.method': 'POST',
          'url.full': 'https://erp.example.com/api/orders',
          'http.response.status_code': 200,
          'server.address': 'erp.example.com',
          'server.port': 443,
          'user_agent.original': 'weft-bench/1.0',
          'integration.records': 25,
        },
      });
      made++;
      const ctx = api.trace.setSpan(api.ROOT_CONTEXT, root);
      for (let c = 0; c < 3 && made < spansPerBody; c++, made++) {
        const child = tracer.startSpan(
          c === 0 ? 'SELECT orders' : c === 1 ? 'publish order.synced' : 'PUT /api/orders/{id}',
          {
            kind: api.SpanKind.CLIENT,
            startTime: start + made,
            attributes: {
              'db.system': 'postgresql',
              'db.namespace': 'crm',
              'db.operation.name': 'SELECT',
              'db.query.text': 'SELECT id, status, total FROM orders WHERE updated_at > $1',
              'server.address': 'pg.internal',
              'server.port': 5432,
              'network.peer.address': '10.0.3.12',
              'integration.records': 25 + c,
              'messaging.system': 'rabbitmq',
              'messaging.destination.name': 'orders',
              'messaging.operation.type': 'publish',
              'thread.id': 7,
              'code.function': 'syncBatch',
              retry: c === 2,
              ratio: 0.25 * c,
            },
          },
          ctx,
        );
        if (c === 2) child.addEvent('retry', { attempt: 1 });
        child.end(start + made + 3);
      }
      root.end(start + made + 10);
    }
    const spans = exporter.getFinishedSpans();
    out.push(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!));
    void provider.shutdown();
  }
  return out;
}
