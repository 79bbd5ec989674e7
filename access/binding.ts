import { isLoopback } from '../core/config/index.ts';
import { ERR_CONFIG } from '../core/errors/index.ts';
import type { Credentials } from './credentials.ts';

/** A listener about to bind: its name in messages and its address. */
export interface Binding {
  what: 'collector' | 'API';
  host: string;
}

/**
 * Refuses to start a listener beyond loopback while no token exists (configured or made by
 * `weft token create` and not revoked): there, no-token mode would let anyone in.
 */
export async function assertSafeBinding(credentials: Credentials, bindings: readonly Binding[]): Promise<void> {
  const exposed = bindings.filter((b) => !isLoopback(b.host));
  if (exposed.length === 0 || (await credentials.hasTokens())) return;
  const b = exposed[0];
  throw ERR_CONFIG(
    `The ${b.what} binds to ${b.host}, beyond this machine, and no token exists: create one first ("weft token create --role admin --name you --data DIR") ` +
      `or set ${b.what === 'collector' ? 'WEFT_INGEST_TOKENS (token[:ingest],…)' : 'WEFT_API_TOKENS (token:role[:name],…)'}.`,
  );
}
