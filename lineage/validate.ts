/**
 * Checks a request's events one by one: the good ones go on, each bad one is answered with its
 * index and the field to change, so one bad event in a batch does not lose the others.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { eventTypes, RunEventSchema, type RunEvent } from './schema.ts';

const check = TypeCompiler.Compile(RunEventSchema);

/** An event that passed, with its position in the request. */
export interface AcceptedEvent {
  index: number;
  event: RunEvent;
}

/** An event that did not, and why (names the field: `run.runId`, `inputs.0.namespace`, …). */
export interface RejectedEvent {
  index: number;
  message: string;
}

const field = (path: string) => path.replace(/^\//, '').replace(/\//g, '.');

/** Why one value is not a RunEvent, or undefined when it is. */
export function eventProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'an event must be a JSON object (an OpenLineage RunEvent)';
  const v = value as Record<string, unknown>;
  if (!Object.hasOwn(v, 'run') && (Object.hasOwn(v, 'dataset') || Object.hasOwn(v, 'job')))
    return 'field "run": missing; Weft reads RunEvents (with run and job), not DatasetEvents or JobEvents';
  const first = check.Errors(value).First();
  if (first) {
    const at = field(first.path);
    if (at === 'eventType') return `field "eventType": must be one of ${eventTypes.join(', ')}`;
    if (at === '') return first.message;
    if (first.value === undefined) return `field "${at}": missing; the OpenLineage spec requires it`;
    return `field "${at}": ${first.message}`;
  }
  const event = value as RunEvent;
  if (Number.isNaN(Date.parse(event.eventTime))) return `field "eventTime": "${event.eventTime}" is not a real date-time`;
  const nominal = event.run.facets?.nominalTime;
  if (nominal && Number.isNaN(Date.parse(nominal.nominalStartTime))) return 'field "run.facets.nominalTime.nominalStartTime": not a real date-time';
  return undefined;
}

/**
 * Splits a request body (one RunEvent or an array of them, as the OpenLineage HTTP transport
 * sends) into accepted and rejected events.
 */
export function splitEvents(body: unknown): { accepted: AcceptedEvent[]; rejected: RejectedEvent[] } {
  const items = Array.isArray(body) ? body : [body];
  const accepted: AcceptedEvent[] = [];
  const rejected: RejectedEvent[] = [];
  items.forEach((item, index) => {
    const problem = eventProblem(item);
    if (problem) rejected.push({ index, message: problem });
    else accepted.push({ index, event: item as RunEvent });
  });
  return { accepted, rejected };
}
