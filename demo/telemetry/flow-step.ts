import { api, type core } from '@opentelemetry/sdk-node';
import type { InProcessBroker } from '../broker/in-process-broker.ts';

export interface StepEnvironment {
  tracer: api.Tracer;
  endpoints: ReadonlyMap<string, string>;
  broker: InProcessBroker;
  propagator: core.W3CTraceContextPropagator;
  /** false: calls and messages carry no trace context (each call is its own trace). */
  propagation: boolean;
}

/** Every demo system serves its records under /api/{kind}. */
const API_PREFIX = '/api';

export type Operation = 'read' | 'create' | 'update' | 'upsert';

export interface HttpHop {
  /** The host as the estate names it (crm.demo.local); the request really goes to its loopback port. */
  host: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** The resource path below /api: "/customers/CUS-000001", "/customers?since=5". */
  path: string;
  domain: string;
  operation: Operation;
  body?: unknown;
  /** Records this hop moves; by default 1 for a write, the number of items read for a list. */
  records?: number;
}

export interface PublishHop {
  topic: string;
  domain: string;
  payload: Record<string, unknown>;
  records?: number;
}

/** The hops of one flow run: each is a child span of the run's root span. */
export class FlowStep {
  constructor(
    private readonly env: StepEnvironment,
    private readonly parent: api.Context,
    readonly flow: string,
  ) {}

  /** A synchronous HTTP call as a CLIENT span with the standard HTTP attributes plus integration.*. */
  async http<T = Record<string, unknown>>(hop: HttpHop): Promise<T> {
    const base = this.env.endpoints.get(hop.host);
    const path = `${API_PREFIX}${hop.path}`;
    const urlFull = `http://${hop.host}${path}`;
    const span = this.env.tracer.startSpan(
      `${hop.method} ${path.split('?')[0].replace(/\/[A-Z]+-[A-Z]?\d+/g, '/{id}')}`,
      {
        kind: api.SpanKind.CLIENT,
        attributes: {
          'http.request.method': hop.method,
          'url.full': urlFull,
          'server.address': hop.host,
          'server.port': 80,
          'integration.flow': this.flow,
          'integration.domain': hop.domain,
          'integration.operation': hop.operation,
        },
      },
      this.parent,
    );
    try {
      if (!base) throw new Error(`No demo endpoint for host ${hop.host}.`);
      const headers: Record<string, string> = { accept: 'application/json' };
      if (this.env.propagation) this.env.propagator.inject(api.trace.setSpan(this.parent, span), headers, api.defaultTextMapSetter);
      if (hop.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${base}${path}`, { method: hop.method, headers, body: hop.body === undefined ? undefined : JSON.stringify(hop.body) });
      const body = (await res.json()) as T & { items?: unknown[]; error?: string };
      span.setAttribute('http.response.status_code', res.status);
      if (!res.ok) throw new Error(`${hop.method} ${urlFull} answered ${res.status}: ${body.error ?? 'no reason given'}`);
      const listed = Array.isArray(body.items) ? body.items.length : 1;
      span.setAttribute('integration.records', hop.records ?? listed);
      return body;
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  }

  /** Publishes to a topic as a PRODUCER span; the message carries the trace context in its headers. */
  publish(hop: PublishHop): void {
    const span = this.env.tracer.startSpan(
      `publish ${hop.topic}`,
      {
        kind: api.SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': hop.topic,
          'messaging.operation.type': 'publish',
          'messaging.operation.name': 'publish',
          'integration.flow': this.flow,
          'integration.domain': hop.domain,
          'integration.operation': 'create',
          'integration.records': hop.records ?? 1,
        },
      },
      this.parent,
    );
    const headers: Record<string, string> = {};
    if (this.env.propagation) this.env.propagator.inject(api.trace.setSpan(this.parent, span), headers, api.defaultTextMapSetter);
    this.env.broker.publish(hop.topic, hop.payload, headers);
    span.end();
  }
}
