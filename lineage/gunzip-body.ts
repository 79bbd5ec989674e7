import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ERR_LINEAGE_BAD_INPUT, ERR_LINEAGE_ENCODING } from './errors.ts';

/**
 * The request body as sent (identity) or inflated (gzip, the OpenLineage clients' `compression:
 * gzip`). The inflated stream reports the bytes received on the wire as `receivedEncodedLength`, so
 * fastify checks Content-Length against them and the body limit against the inflated bytes (a gzip
 * bomb stops at the limit). Throws ERR_LINEAGE_ENCODING (415) for another encoding; a body that is
 * not gzip ends with ERR_LINEAGE_BAD_INPUT (400).
 */
export function decodedBody(contentEncoding: string | undefined, payload: Readable): Readable {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return payload;
  if (encoding !== 'gzip' && encoding !== 'x-gzip') throw ERR_LINEAGE_ENCODING(encoding);
  const out = new PassThrough() as PassThrough & { receivedEncodedLength: number };
  out.receivedEncodedLength = 0;
  payload.on('data', (chunk: Buffer) => {
    out.receivedEncodedLength += chunk.length;
  });
  const gunzip = createGunzip();
  gunzip.on('error', (err) =>
    out.destroy(ERR_LINEAGE_BAD_INPUT(`The body is marked gzip but is not valid gzip (${err.message}); send valid gzip or drop Content-Encoding.`)),
  );
  payload.on('error', (err) => out.destroy(err));
  payload.pipe(gunzip).pipe(out);
  return out;
}
