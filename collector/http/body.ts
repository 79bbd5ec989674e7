import type { Readable } from 'node:stream';
import { gunzip } from 'node:zlib';
import { ERR_OTLP_BAD_INPUT, ERR_OTLP_ENCODING, ERR_OTLP_SLOW_BODY, ERR_OTLP_TOO_LARGE } from '../otlp/bad-input.ts';

export type Encoding = 'gzip' | 'identity';

/** The Content-Encoding, or a 415 for one the collector does not read. */
export function contentEncoding(header: string | undefined): Encoding {
  const v = (header ?? '').trim().toLowerCase();
  if (v === '' || v === 'identity') return 'identity';
  if (v === 'gzip' || v === 'x-gzip') return 'gzip';
  throw ERR_OTLP_ENCODING(v);
}

/**
 * How long a body may take to arrive, in the manner of Apache's mod_reqtimeout
 * (`body=20,MinRate=500`): `timeoutMs` to start with, extended by one second for every
 * `minBytesPerSecond` bytes received, never beyond `maxTimeoutMs` in all. A sender slower than
 * that gets 408 and its connection closed, so a trickle of bytes cannot hold a slot for long.
 */
export interface BodyDeadline {
  timeoutMs: number;
  minBytesPerSecond: number;
  maxTimeoutMs: number;
}

/** At most this many bodies are inflated at once (each may grow to `max`); the others wait. */
const INFLATE_SLOTS = 4;
let inflating = 0;
const waiting: (() => void)[] = [];

async function inflateSlot<T>(work: () => Promise<T>): Promise<T> {
  if (inflating >= INFLATE_SLOTS) await new Promise<void>((resolve) => waiting.push(resolve));
  inflating++;
  try {
    return await work();
  } finally {
    inflating--;
    waiting.shift()?.();
  }
}

export interface ReadBodyOptions {
  /** Content-Length, when sent. */
  declaredLength: number | undefined;
  encoding: Encoding;
  /** Most bytes as sent, and most bytes once inflated. */
  max: number;
  deadline: BodyDeadline;
  /** Sees each chunk's size as it arrives (the caller's in-flight budget); throwing from it stops the read with that error. */
  onChunk?: (bytes: number) => void;
}

/**
 * Reads a request body of at most `max` bytes as sent, and at most `max` bytes once inflated,
 * within its deadline. Inflating stops as soon as the output passes the limit, so a gzip bomb
 * costs `max` bytes of memory, not its expanded size. Throws 413, 408 (too slow) or 400.
 */
export async function readBody(stream: Readable, o: ReadBodyOptions): Promise<Buffer> {
  if (o.declaredLength !== undefined && o.declaredLength > o.max) throw ERR_OTLP_TOO_LARGE(o.max, 'as sent');
  const chunks: Buffer[] = [];
  let size = 0;
  const started = Date.now();
  const deadline = () => started + Math.min(o.deadline.maxTimeoutMs, o.deadline.timeoutMs + (size / o.deadline.minBytesPerSecond) * 1000);
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve, reject) => {
    const stop = (err: Error) => {
      stream.off('data', onData);
      stream.resume();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      try {
        if (size > o.max) throw ERR_OTLP_TOO_LARGE(o.max, 'as sent');
        o.onChunk?.(chunk.length);
      } catch (err) {
        stop(err as Error);
        return;
      }
      chunks.push(chunk);
    };
    const check = () => {
      const left = deadline() - Date.now();
      if (left > 0) {
        timer = setTimeout(check, left);
        return;
      }
      stop(ERR_OTLP_SLOW_BODY(o.deadline.timeoutMs / 1000, o.deadline.minBytesPerSecond, o.deadline.maxTimeoutMs / 1000));
    };
    timer = setTimeout(check, o.deadline.timeoutMs);
    stream.on('data', onData);
    stream.once('end', resolve);
    stream.once('error', (err) => reject(ERR_OTLP_BAD_INPUT(`The request body could not be read: ${err.message}.`)));
    // A client that goes away mid-upload: release the request (resolve/reject only count once).
    stream.once('close', () => reject(ERR_OTLP_BAD_INPUT('The request body ended before its announced length.')));
  }).finally(() => clearTimeout(timer));
  const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
  if (o.encoding === 'identity') return raw;
  return inflateSlot(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        gunzip(raw, { maxOutputLength: o.max }, (err, out) => {
          if (!err) return resolve(out);
          if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError)
            reject(ERR_OTLP_TOO_LARGE(o.max, 'after decompression'));
          else reject(ERR_OTLP_BAD_INPUT(`The body is marked gzip but is not valid gzip: ${err.message}.`));
        });
      }),
  );
}
