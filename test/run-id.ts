import { createHash } from 'node:crypto';

/** A stable UUID for a test's run name (OpenLineage run ids are UUIDs): the MD5 of the name, written as a UUID. */
export function runUuid(name: string): string {
  const h = createHash('md5').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
