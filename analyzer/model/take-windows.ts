import type { Store } from '../../clickhouse/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import { UNNAMED } from '../flows/endpoint-match.ts';
import { endpointMapping, PENDING } from '../flows/match-sql.ts';
import { queryEdgeLastSeen, queryEdgesByWindow, queryTouchesByWindow, type ObservedTouch } from '../flows/observed.ts';
import { pairingState, type PairingState } from '../flows/pairing-job.ts';
import { queryServiceShifts, type ServiceShift } from '../flows/sender-offsets.ts';
import type { Window } from '../flows/window-source.ts';
import { attributeEdges, type AttributedEdge, type Snapshot } from './snapshot.ts';

/** A window to read: its edges, its touches, or both. */
export interface WindowRequest extends Window {
  edges?: boolean;
  touches?: boolean;
}

/** One window's rows, resolved as a snapshot resolves them (an unasked kind is empty). */
export interface WindowRows {
  since: string;
  until: string;
  edges: AttributedEdge[];
  touches: ObservedTouch[];
}

/** Several windows' edges and touches, with what does not depend on a window (all-time last seen per edge, the pairing watermark). */
export interface FlowWindows {
  catalog: Catalog;
  windows: WindowRows[];
  lastSeen: Snapshot['lastSeen'];
  /** Everything that arrived before this is paired (ISO; the last pairing run's, at most `now`). */
  pairedUntil: string;
  /** The services whose clocks are off as of `now` (`queryServiceShifts`): what the touches were read by, for other reads keyed by span time. */
  shifts: ServiceShift[];
}

/**
 * The edges and touches of several windows, for readers that need only those (alert evaluation): one
 * rollup read for the edges of every window and one for the touches, instead of a snapshot per window.
 * Endpoints resolve against the catalog as it is now and edges are attributed to documented flows, as
 * in `takeSnapshot`; unresolved (pending, unnamed) ends are left out the same way. `state`: the pairing state when the
 * caller has read it already (to place its windows), else read here.
 */
export async function takeWindows(store: Store, catalog: Catalog, requests: WindowRequest[], now: Date, state?: PairingState): Promise<FlowWindows> {
  const mapping = await endpointMapping(store, catalog);
  const resolved = (...nodes: string[]) => nodes.every((n) => !n.startsWith(PENDING) && !n.startsWith(UNNAMED));
  const edgeAt = requests.flatMap((r, i) => (r.edges ? [i] : []));
  const touchAt = requests.flatMap((r, i) => (r.touches ? [i] : []));
  const edges = await queryEdgesByWindow(
    store,
    mapping,
    edgeAt.map((i) => requests[i]),
  );
  // Calls are keyed by their senders' clocks: those whose clock is off are read where their offset places them.
  const shifts = await queryServiceShifts(store, now);
  const touches = await queryTouchesByWindow(
    store,
    mapping,
    touchAt.map((i) => requests[i]),
    shifts,
  );
  const lastSeen = (await queryEdgeLastSeen(store, mapping)).filter((e) => resolved(e.source, e.target));
  const paired = (state ?? (await pairingState(store))).pairedUntil;
  return {
    catalog,
    windows: requests.map((r, i) => ({
      since: r.since.toISOString(),
      until: r.until.toISOString(),
      edges: edgeAt.includes(i)
        ? attributeEdges(
            catalog,
            edges[edgeAt.indexOf(i)].edges.filter((e) => resolved(e.source, e.target)),
          )
        : [],
      touches: touchAt.includes(i) ? touches[touchAt.indexOf(i)].filter((t) => resolved(t.system)) : [],
    })),
    lastSeen,
    pairedUntil: (paired && paired < now ? paired : now).toISOString(),
    shifts,
  };
}
