import type { PairingStatus } from '../api/types.ts';
import { count } from '../format.ts';

/**
 * The notice shown while spans that arrived are still being paired into flows ("1 trace (3 spans)
 * arrived and is still being paired …"), or null when nothing waits.
 */
export function pairingText(pairing: Pick<PairingStatus, 'pendingTraces' | 'pendingSpans'> | undefined): string | null {
  if (!pairing || pairing.pendingTraces <= 0) return null;
  return (
    `${count(pairing.pendingTraces, 'trace')} (${count(pairing.pendingSpans, 'span')}) arrived and ` +
    `${pairing.pendingTraces === 1 ? 'is' : 'are'} still being paired into flows; they appear once no more of their spans arrive for the late-arrival window.`
  );
}
