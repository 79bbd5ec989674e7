import { asciiLower, validUtf8 } from './byte-text.ts';

/**
 * Amazon S3's endpoints (docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html), lower-case hosts:
 * virtual-hosted style names the bucket before `.s3` (`orders-archive.s3.eu-west-1.amazonaws.com`, `….s3.amazonaws.com`,
 * `….s3-eu-west-1.amazonaws.com`, `….s3.dualstack.…`, `….s3-accelerate.…`, China's `….amazonaws.com.cn`; a bucket's name
 * may hold dots); path style names it as the path's first segment (`s3.eu-west-1.amazonaws.com/orders-archive/…`). S3
 * Control's hosts (`<account>.s3-control.<region>.amazonaws.com`) name an account, not a bucket.
 */
// The labels after `s3` (`(?:[.-][a-z0-9-]+)*` read once: a `-` could start a label or end one, 2^n ways to split a run of them).
// LocalStack's S3 hosts (`<bucket>.s3.localhost.localstack.cloud`, `s3.localhost.localstack.cloud`) are S3's (migration 131).
const VIRTUAL_HOST = /^(.+?)\.s3(?:(?:[.-][a-z0-9-](?:[a-z0-9-]|\.(?=[a-z0-9-]))*)?\.amazonaws\.com(?:\.cn)?|\.localhost\.localstack\.cloud)$/;
const PATH_HOST = /^s3(?:(?:[.-][a-z0-9-](?:[a-z0-9-]|\.(?=[a-z0-9-]))*)?\.amazonaws\.com(?:\.cn)?|\.localhost\.localstack\.cloud)$/;
const CONTROL_HOST = /(?:^|\.)s3-control[.-]/;

/** An object store endpoint: the bucket (lower-case) and the first two segments of the object's key, as `/a/b`. */
export interface Bucket {
  bucket: string;
  name: string;
}

/**
 * The S3 bucket an HTTP call to `host` (host_v: lower-case, no port) with request path `path` reads or writes, as
 * OpenLineage names an object store dataset (lineage/dataset-endpoint.ts: kind http, sys `s3`, the bucket as host): from
 * a virtual-hosted host, else a path-style host's first path segment, else `bucketAttr` (`aws.s3.bucket`, or the Java
 * agent's older `aws.bucket.name`, whose aws-sdk 1.11 spans give only the endpoint `https://s3.amazonaws.com` as URL).
 * `endpointPath` is the call's usual path (its first two segments). Byte strings in and out; undefined for a host that is
 * no S3 endpoint; a bucket '' for an S3 call naming none (ListBuckets) — migration 126. `pathStyle`: the host is read as
 * a path-style one whatever it is (an aws-sdk S3 call to LocalStack's edge port, `http://localhost:4566/<bucket>/<key>`:
 * migration 131).
 */
export function s3Bucket(host: string, path: string, endpointPath: string, bucketAttr: string, pathStyle = false): Bucket | undefined {
  if (CONTROL_HOST.test(host)) return undefined;
  const virtual = VIRTUAL_HOST.exec(host);
  if (virtual) return { bucket: virtual[1], name: endpointPath };
  if (!pathStyle && !PATH_HOST.test(host)) return undefined;
  const parts = path.replace(/\/{2,}/g, '/').split('/');
  const first = parts.length > 1 ? parts[1] : '';
  if (first !== '') return { bucket: asciiLower(validUtf8(first)), name: validUtf8(['', ...parts.slice(2, 4)].join('/')) };
  return { bucket: asciiLower(validUtf8(bucketAttr)), name: '' };
}
