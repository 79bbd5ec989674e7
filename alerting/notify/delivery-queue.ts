import type { GroupState, Notification } from './groups.ts';

/** After a delivery failed every attempt, its group tries again no sooner than this (ms). */
export const RETRY_AFTER_FAILURE_MS = 30_000;

export interface DeliveryQueueOptions {
  /** Sends one notification with its retries and records every attempt; resolves whether it got through (never rejects). */
  deliver(n: Notification): Promise<boolean>;
  /** Persists a group's state once its delivery is over (what the receiver was told, or when to try again). */
  saveGroup(key: string, state: GroupState): Promise<void>;
  /** The clock for `retryAt` (the alerting clock). */
  now(): Date;
  /** Told when a delivery is over (e.g. to log it or evaluate again). */
  onDone?(n: Notification, delivered: boolean): void;
  onError?(err: Error): void;
}

export interface DeliveryQueue {
  /** True while a notification of this group is being delivered or retried: the group is left alone until it is over. */
  busy(groupKey: string): boolean;
  /**
   * Starts delivering `n` beside the evaluation loop (which does not wait for it). When it is over the
   * group's state is saved: `n.after` when delivered, else `before` with a `retryAt`
   * RETRY_AFTER_FAILURE_MS later, so the next evaluation plans it again.
   */
  enqueue(n: Notification, before: GroupState): void;
  /** Resolves once every delivery started so far is over and its group state saved. */
  idle(): Promise<void>;
  /** Groups being delivered now. */
  size(): number;
  /** A mark to take before reading the groups' saved states (see `changedSince`). */
  mark(): number;
  /**
   * True when a delivery of this group ended (and its state was saved) after `mark` was taken: the state read
   * then is stale, and planning from it would send the same notification again; the next evaluation reads it anew.
   */
  changedSince(groupKey: string, mark: number): boolean;
}

/**
 * Deliveries off the evaluation path: a receiver that is down (timeouts, retries with backoff) holds up
 * only its own group, never the evaluation of the rules nor the other groups. One delivery per group at
 * a time; a group being delivered is not planned again until its state is saved, so a message that got
 * through is not planned twice. Delivery is at least once, as Alertmanager's: an attempt that timed out
 * (a receiver slower than its `timeout`) may have got through, and is sent again — by the next attempt,
 * then by the group RETRY_AFTER_FAILURE_MS later, for as long as no attempt is answered with success.
 */
export function createDeliveryQueue(o: DeliveryQueueOptions): DeliveryQueue {
  const running = new Map<string, Promise<void>>();
  /** When each group's last delivery ended, as a count of deliveries ended (a mark). */
  const ended = new Map<string, number>();
  let endings = 0;
  const run = async (n: Notification, before: GroupState) => {
    let delivered = false;
    try {
      delivered = await o.deliver(n);
      const state: GroupState = delivered ? n.after : { ...before, retryAt: new Date(o.now().getTime() + RETRY_AFTER_FAILURE_MS).toISOString() };
      await o.saveGroup(n.groupKey, state);
    } catch (err) {
      o.onError?.(err as Error);
    } finally {
      ended.set(n.groupKey, ++endings);
      running.delete(n.groupKey);
    }
    o.onDone?.(n, delivered);
  };
  return {
    busy: (key) => running.has(key),
    enqueue(n, before) {
      if (running.has(n.groupKey)) throw new Error(`group ${n.groupKey} is already being delivered`);
      running.set(n.groupKey, run(n, before));
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
    size: () => running.size,
    mark: () => endings,
    changedSince: (key, mark) => (ended.get(key) ?? 0) > mark,
  };
}
