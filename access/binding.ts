import { isLoopback } from '../core/config/index.ts';
import { ERR_CONFIG } from '../core/errors/index.ts';
import { apiRoles, type Credentials } from './credentials.ts';

/** A listener about to bind: its name in messages and its address. */
export interface Binding {
  what: 'collector' | 'API';
  host: string;
}

/**
 * Refuses to start a listener beyond loopback while no token for it exists (configured or made by
 * `weft token create` and not revoked: an ingest or admin token for the collector, any other for
 * the API). Such a listener would refuse everyone anyway (no-token mode is for loopback only);
 * refusing to start says so at once.
 */
export async function assertSafeBinding(credentials: Credentials, bindings: readonly Binding[]): Promise<void> {
  for (const b of bindings) {
    if (isLoopback(b.host)) continue;
    // Admin tokens may ingest too: a collector with only admin tokens is closed, not open.
    if (await credentials.hasTokens(b.what === 'collector' ? ['ingest', 'admin'] : apiRoles)) continue;
    throw refusal(b);
  }
}

function refusal(b: Binding) {
  const collector = b.what === 'collector';
  return ERR_CONFIG(
    `The ${b.what} binds to ${b.host}, beyond this machine, and no token for it exists: create one first ` +
      `("weft token create --role ${collector ? 'ingest' : 'admin'} --name NAME --data DIR") ` +
      `or set ${collector ? 'WEFT_INGEST_TOKENS (token[:ingest],…)' : 'WEFT_API_TOKENS (token:role[:name],…)'}.`,
  );
}
