import { isLoopback } from '../core/config/index.ts';
import { ERR_CONFIG } from '../core/errors/index.ts';
import { apiRoles, type Credentials } from './credentials.ts';

/** A listener about to bind: its name in messages and its address. */
export interface Binding {
  what: 'collector' | 'API';
  host: string;
}

/**
 * Refuses to start a listener beyond loopback (or an API with public names: reached through a proxy)
 * while no token for it exists (configured or made by
 * `weft token create` and not revoked: an ingest or admin token for the collector, any other for
 * the API). Such a listener would refuse everyone anyway (no-token mode is for loopback only);
 * refusing to start says so at once.
 */
export async function assertSafeBinding(
  credentials: Pick<Credentials, 'hasTokens'>,
  bindings: readonly Binding[],
  publicNames: readonly string[] = [],
): Promise<void> {
  for (const b of bindings) {
    // Public names are how the API is reached through a proxy: from beyond this machine, as a non-loopback address is.
    const beyond = !isLoopback(b.host) || (b.what === 'API' && publicNames.length > 0);
    if (!beyond) continue;
    // Admin tokens may ingest too: a collector with only admin tokens is closed, not open.
    if (await credentials.hasTokens(b.what === 'collector' ? ['ingest', 'admin'] : apiRoles)) continue;
    throw refusal(b, isLoopback(b.host) ? publicNames : []);
  }
}

function refusal(b: Binding, publicNames: readonly string[]) {
  const collector = b.what === 'collector';
  const where = publicNames.length > 0 ? `is reached as ${publicNames.join(', ')} (WEFT_PUBLIC_NAMES), through a proxy,` : `binds to ${b.host},`;
  return ERR_CONFIG(
    `The ${b.what} ${where} beyond this machine, and no token for it exists: create one first ` +
      `("weft token create --role ${collector ? 'ingest' : 'admin'} --name NAME --data DIR") ` +
      `or set ${collector ? 'WEFT_INGEST_TOKENS (token[:ingest],…)' : 'WEFT_API_TOKENS (token:role[:name],…)'}.`,
  );
}

/**
 * The warning for an API reached through a proxy (public names given) that trusts none (WEFT_TRUSTED_PROXIES empty):
 * every client then arrives from the proxy's address and shares one count of wrong tokens, so one client's 30 wrong
 * tokens a minute get every other client 429. Undefined when there is nothing to say.
 */
export function untrustedProxyWarning(publicNames: readonly string[], trustedProxies: readonly string[]): string | undefined {
  if (publicNames.length === 0 || trustedProxies.length > 0) return undefined;
  return (
    `The API is reached as ${publicNames.join(', ')} (WEFT_PUBLIC_NAMES), through a proxy, and no proxy is trusted: every client ` +
    `of the proxy arrives from its address and shares one count of wrong tokens (30 a minute, then 429 for all). Set ` +
    `WEFT_TRUSTED_PROXIES (--trusted-proxies) to the proxy's address so each client is counted by the one it names.`
  );
}
