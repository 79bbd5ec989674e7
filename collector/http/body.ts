import type { Readable } from 'node:stream';
import { gunzip } from 'node:zlib';
import { ERR_OTLP_BAD_INPUT, ERR_OTLP_ENCODING, ERR_OTLP_TOO_LARGE } from '../otlp/bad-input.ts';

export type Encoding = 'gzip' | 'identity';

/** The Content-Encoding, or a 415 for one the collector does not read. */
export function contentEncoding(header: string | undefined): Encoding {
  const v = (header ?? '').trim().toLowerCase();
  if (v === '' || v === 'identity') return 'identity';
  if (v === 'gzip' || v === 'x-gzip') return 'gzip';
  throw ERR_OTLP_ENCODING(v);
}

/**
 * Reads a request body of at most `max` bytes as sent, and at most `max` bytes once inflated.
 * Inflating stops as soon as the output passes the limit, so a gzip bomb costs `max` bytes of
 * memory, not its expanded size.
 */
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

/**
 * `onChunk` sees each chunk's size as it arrives (the caller's in-flight budget); throwing from
 * it stops the read with that error.
 */
export async function readBody(stream: Readable, declaredLength: number | undefined, encoding: Encoding, max: number, onChunk?: (bytes: number) => void): Promise<Buffer> {
  if (declaredLength !== undefined && declaredLength > max) throw ERR_OTLP_TOO_LARGE(max, 'as sent');
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      try {
        if (size > max) throw ERR_OTLP_TOO_LARGE(max, 'as sent');
        onChunk?.(chunk.length);
      } catch (err) {
        stream.off('data', onData);
        stream.resume();
        reject(err);
        return;
      }
      chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('end', resolve);
    stream.once('error', (err) => reject(ERR_OTLP_BAD_INPUT(`The request body could not be read: ${err.message}.`)));
    // A client that goes away mid-upload: release the request (resolve/reject only count once).
    stream.once('close', () => reject(ERR_OTLP_BAD_INPUT('The request body ended before its announced length.')));
  });
  const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
  if (encoding === 'identity') return raw;
  return inflateSlot(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        gunzip(raw, { maxOutputLength: max }, (err, out) => {
          if (!err) return resolve(out);
          if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) reject(ERR_OTLP_TOO_LARGE(max, 'after decompression'));
          else reject(ERR_OTLP_BAD_INPUT(`The body is marked gzip but is not valid gzip: ${err.message}.`));
        });
      }),
  );
}
