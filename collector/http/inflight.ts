import { ERR_OTLP_BUSY } from '../otlp/bad-input.ts';

/**
 * Request body bytes held in memory, in all and per peer (remote address). Bytes are counted as
 * they arrive, not as announced, so a connection that announces 20 MiB and sends a byte every
 * few seconds holds a few bytes, not a fifth of the budget. One peer may hold at most
 * `peerMax` bytes, so a single sender cannot make everyone else get 429.
 */
export class InflightBudget {
  private total = 0;
  private readonly byPeer = new Map<string, number>();

  constructor(
    readonly max: number,
    readonly peerMax: number,
  ) {}

  /** Takes `bytes` for `peer`; throws 429 when the whole budget or the peer's share would be passed. */
  take(peer: string, bytes: number): void {
    const held = this.byPeer.get(peer) ?? 0;
    if ((this.total > 0 && this.total + bytes > this.max) || (held > 0 && held + bytes > this.peerMax)) throw ERR_OTLP_BUSY();
    this.total += bytes;
    this.byPeer.set(peer, held + bytes);
  }

  release(peer: string, bytes: number): void {
    this.total -= bytes;
    const left = (this.byPeer.get(peer) ?? 0) - bytes;
    if (left > 0) this.byPeer.set(peer, left);
    else this.byPeer.delete(peer);
  }

  get held(): number {
    return this.total;
  }
}
