import { describe, expect, it } from 'vitest';
import { search } from '../search/search-index.ts';
import { traceIdIn } from './waterfall.ts';

// Regression: a W3C traceparent pasted from a log or a header found nothing.
describe('traceIdIn', () => {
  const id = '4bf92f3577b34da6a3ce929d0e0e4736';
  it('reads a trace id, and the trace id of a W3C traceparent, with or without its header name', () => {
    expect(traceIdIn(id)).toBe(id);
    expect(traceIdIn(` ${id.toUpperCase()} `)).toBe(id);
    expect(traceIdIn(`00-${id}-00f067aa0ba902b7-01`)).toBe(id);
    expect(traceIdIn(`traceparent: 00-${id}-00f067aa0ba902b7-01`)).toBe(id);
    expect(traceIdIn(`Traceparent=00-${id}-00f067aa0ba902b7-00`)).toBe(id);
  });
  it('refuses what is not one: too short, not hex, a malformed traceparent, the all-zero id', () => {
    for (const bad of [
      '',
      id.slice(1),
      `${id}0`,
      id.replace('4', 'g'),
      `00-${id}-00f067aa0ba902b7`,
      `00-${id}00f067aa0ba902b701`,
      '0'.repeat(32),
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
    ])
      expect(traceIdIn(bad), bad).toBeUndefined();
  });
  it('offers the trace in the search box for a traceparent', () => {
    expect(search([], `00-${id}-00f067aa0ba902b7-01`)[0]).toMatchObject({ type: 'trace', href: `/traces/${id}` });
  });
});
