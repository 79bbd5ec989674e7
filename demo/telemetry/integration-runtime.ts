import { randomUUID } from 'node:crypto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { api, core, node, resources, tracing } from '@opentelemetry/sdk-node';
import type { InProcessBroker, BrokerMessage } from '../broker/in-process-broker.ts';
import { FlowStep, type StepEnvironment } from './flow-step.ts';

export interface RuntimeOptions {
  /** The runtime's `service.name`: how Weft recognises this integration. */
  serviceName: string;
  /** Weft's OTLP/HTTP base URL, e.g. http://127.0.0.1:4318 */
  otlpUrl: string;
  /** Bearer token, when Weft's collector requires ingest tokens. */
  otlpToken?: string;
  /** Demo host name (crm.demo.local) → the loopback base URL its server really listens on. */
  endpoints: ReadonlyMap<string, string>;
  broker: InProcessBroker;
  /** How long the batch processor holds spans before exporting. */
  exportDelayMs?: number;
  /** false: no root span per run and no context on calls or messages, every call its own trace (default true). */
  propagation?: boolean;
}

const propagator = new core.W3CTraceContextPropagator();

/**
 * One integration runtime (an iPaaS worker, a sync job, an event consumer) with its own
 * TracerProvider, `service.name` resource and OTLP proto exporter to Weft's collector.
 * The provider is not registered globally: several runtimes share the demo process.
 */
export class IntegrationRuntime {
  private readonly provider: node.NodeTracerProvider;
  private readonly tracer: api.Tracer;
  private readonly env: StepEnvironment;

  constructor(readonly options: RuntimeOptions) {
    const exporter = new OTLPTraceExporter({
      url: `${options.otlpUrl.replace(/\/$/, '')}/v1/traces`,
      headers: options.otlpToken ? { Authorization: `Bearer ${options.otlpToken}` } : {},
    });
    this.provider = new node.NodeTracerProvider({
      resource: resources.resourceFromAttributes({
        'service.name': options.serviceName,
        // What the SDKs' resource detectors report: one id per running process of the integration.
        'service.instance.id': randomUUID(),
        'service.namespace': 'weft-demo',
        'deployment.environment.name': 'demo',
      }),
      spanProcessors: [new tracing.BatchSpanProcessor(exporter, { scheduledDelayMillis: options.exportDelayMs ?? 500 })],
    });
    this.tracer = this.provider.getTracer('weft-demo-integrations', '0.1.0');
    this.env = { tracer: this.tracer, endpoints: options.endpoints, broker: options.broker, propagator, propagation: options.propagation !== false };
  }

  get serviceName(): string {
    return this.options.serviceName;
  }

  /** One run of a flow: a root span (one trace) whose hops are the reads and writes it does. */
  run<T>(flow: string, work: (step: FlowStep) => Promise<T>): Promise<T> {
    if (!this.env.propagation) return work(new FlowStep(this.env, api.ROOT_CONTEXT, flow));
    const root = this.tracer.startSpan(flow, { kind: api.SpanKind.INTERNAL, attributes: { 'integration.flow': flow } });
    return this.within(root, flow, work);
  }

  /**
   * Handles one message from a topic: a CONSUMER span (`process`), linked to the producer's
   * span when the message carries trace context, starting its own trace.
   */
  consume<T>(flow: string, message: BrokerMessage, domain: string, work: (step: FlowStep) => Promise<T>): Promise<T> {
    const producer = this.env.propagation
      ? api.trace.getSpanContext(propagator.extract(api.ROOT_CONTEXT, message.headers, api.defaultTextMapGetter))
      : undefined;
    const span = this.tracer.startSpan(`process ${message.topic}`, {
      kind: api.SpanKind.CONSUMER,
      links: producer ? [{ context: producer }] : [],
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': message.topic,
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'integration.flow': flow,
        'integration.domain': domain,
        'integration.operation': 'read',
        'integration.records': 1,
      },
    });
    return this.within(span, flow, work);
  }

  private async within<T>(span: api.Span, flow: string, work: (step: FlowStep) => Promise<T>): Promise<T> {
    // Without propagation the consumer span is a trace of its own and so is each call it makes.
    const step = new FlowStep(this.env, this.env.propagation ? api.trace.setSpan(api.ROOT_CONTEXT, span) : api.ROOT_CONTEXT, flow);
    try {
      const result = await work(step);
      span.setStatus({ code: api.SpanStatusCode.OK });
      return result;
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  }

  /** Exports what is buffered now. */
  flush(): Promise<void> {
    return this.provider.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}
