import { ERR_OTLP_BAD_INPUT } from './bad-input.ts';
import type { SignalName } from './proto-codec.ts';

const rejectedField: Record<SignalName, string> = { traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords' };

/** Parses an OTLP/JSON request; invalid JSON becomes a 400 naming the position. */
export function decodeJson(body: Buffer): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw ERR_OTLP_BAD_INPUT(`The body is not valid JSON: ${(err as Error).message}.`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw ERR_OTLP_BAD_INPUT('The body must be a JSON object (an OTLP export request).');
  return parsed;
}

export function encodeJsonResponse(signal: SignalName, rejected: number, message: string): string {
  return JSON.stringify(rejected > 0 ? { partialSuccess: { [rejectedField[signal]]: rejected, errorMessage: message } } : {});
}

export function encodeJsonStatus(code: number, message: string): string {
  return JSON.stringify({ code, message });
}
