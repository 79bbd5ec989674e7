/**
 * Checks a request's events one by one: the good ones go on, each bad one is answered with its
 * index and the field to change, so one bad event in a batch does not lose the others.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { eventTimeMs } from './event-time.ts';
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

/** Events nested deeper than this (facets inside facets) are refused: no producer nests this far. */
export const MAX_EVENT_DEPTH = 64;
const EARLIEST = Date.parse('2000-01-01T00:00:00Z');
const DAY = 86_400_000;

/** How deep a JSON value nests (objects and arrays), counted without recursion; stops past `limit`. */
function depthOver(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > limit) return true;
    for (const child of Object.values(v as object)) if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
  }
  return false;
}

/**
 * Why a time of an event is out of range, or undefined: before 2000, or more than a day ahead of
 * Weft's clock (the rule OTLP spans follow, docs/security-limits.md). A run stamped 9999 would be a
 * flow's last run for ever, and no stale finding could open.
 */
function timeProblem(name: string, text: string, now: number): string | undefined {
  // Not Date.parse, which read a day the calendar lacks (2026-02-30) as the next month's and 24:00 as the next day.
  const t = eventTimeMs(text);
  if (Number.isNaN(t)) return `field "${name}": "${text}" is not a real date-time`;
  if (t < EARLIEST) return `field "${name}": ${text} is before 2000-01-01; send the time the run really happened`;
  if (t > now + DAY) return `field "${name}": ${text} is more than a day ahead of Weft's clock; check the producer's clock`;
  return undefined;
}

/**
 * The UUIDs that name no run: RFC 9562 §5.9–5.10's Nil and Max UUIDs are sentinels (all bits 0,
 * all bits 1), and the OpenLineage spec's runId identifies one run. A producer that sends one for
 * every run (an unset field, a placeholder) would make all its runs one.
 */
const SENTINEL_UUIDS: ReadonlyMap<string, string> = new Map([
  ['00000000-0000-0000-0000-000000000000', 'the nil UUID'],
  ['ffffffff-ffff-ffff-ffff-ffffffffffff', 'the max UUID'],
]);

/** Why a run id (already a well-formed UUID) names no run, or undefined. */
function runIdProblem(name: string, id: string): string | undefined {
  const what = SENTINEL_UUIDS.get(id.toLowerCase());
  if (!what) return undefined;
  return `field "${name}": ${id} is ${what}, which identifies no run; the producer must send a real run id (a UUID made for this run, e.g. v4 or v7)`;
}

/** Why one value is not a RunEvent, or undefined when it is. */
export function eventProblem(value: unknown, now = Date.now()): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'an event must be a JSON object (an OpenLineage RunEvent)';
  if (depthOver(value, MAX_EVENT_DEPTH)) return `the event nests objects deeper than ${MAX_EVENT_DEPTH} levels; flatten its facets`;
  const v = value as Record<string, unknown>;
  if (!Object.hasOwn(v, 'run') && (Object.hasOwn(v, 'dataset') || Object.hasOwn(v, 'job')))
    return 'field "run": missing; Weft reads RunEvents (with run and job), not DatasetEvents or JobEvents';
  const first = check.Errors(value).First();
  if (first) {
    const at = field(first.path);
    if (at === 'eventType') return `field "eventType": must be one of ${eventTypes.join(', ')}`;
    if (at === '') return first.message;
    if (first.value === undefined) return `field "${at}": missing; the OpenLineage spec requires it`;
    // A pattern's own text is no help to the sender: say what the value must be.
    const expected = (first.schema as { pattern?: string; description?: string }).description;
    if ((first.schema as { pattern?: string }).pattern !== undefined && expected)
      return `field "${at}": ${JSON.stringify(String(first.value).slice(0, 80))} is not ${expected}`;
    return `field "${at}": ${first.message}`;
  }
  const event = value as RunEvent;
  const nominal = event.run.facets?.nominalTime;
  const parent = event.run.facets?.parent;
  return (
    runIdProblem('run.runId', event.run.runId) ??
    (parent ? runIdProblem('run.facets.parent.run.runId', parent.run.runId) : undefined) ??
    timeProblem('eventTime', event.eventTime, now) ??
    (nominal ? timeProblem('run.facets.nominalTime.nominalStartTime', nominal.nominalStartTime, now) : undefined) ??
    (nominal?.nominalEndTime ? timeProblem('run.facets.nominalTime.nominalEndTime', nominal.nominalEndTime, now) : undefined)
  );
}

/**
 * The event with its run ids in lower case: UUIDs compare without regard to case (RFC 9562 §4),
 * and a producer that writes one run's id in upper case once must not make it two runs.
 */
function withCanonicalRunIds(event: RunEvent): RunEvent {
  const parent = event.run.facets?.parent;
  return {
    ...event,
    run: {
      ...event.run,
      runId: event.run.runId.toLowerCase(),
      ...(parent && event.run.facets
        ? { facets: { ...event.run.facets, parent: { ...parent, run: { ...parent.run, runId: parent.run.runId.toLowerCase() } } } }
        : {}),
    },
  };
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
    else accepted.push({ index, event: withCanonicalRunIds(item as RunEvent) });
  });
  return { accepted, rejected };
}
