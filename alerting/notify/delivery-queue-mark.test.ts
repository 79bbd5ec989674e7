import { describe, expect, it } from 'vitest';
import { createDeliveryQueue } from './delivery-queue.ts';
import type { GroupState, Notification } from './groups.ts';

// Regression: an evaluation read the groups' states, a delivery of one of them ended (its state saved) while the
// evaluation ran, and the evaluation, seeing the group no longer busy, planned it again from the state it had read:
// a receiver that was down got every delivery round twice, 2.5 s apart.
describe('delivery queue marks', () => {
  it("says which groups' deliveries ended after a mark, so their stale state is not planned again", async () => {
    const saved: string[] = [];
    const queue = createDeliveryQueue({
      deliver: async () => false,
      saveGroup: async (key) => void saved.push(key),
      now: () => new Date('2026-12-01T00:00:00Z'),
    });
    const n = { groupKey: 'hook:{alertname="x"}', after: {} } as unknown as Notification;
    queue.enqueue(n, {} as GroupState);
    const read = queue.mark(); // an evaluation reads the states while the delivery runs
    expect(queue.busy(n.groupKey)).toBe(true);
    await queue.idle();
    expect(saved).toEqual([n.groupKey]);
    expect(queue.busy(n.groupKey)).toBe(false);
    expect(queue.changedSince(n.groupKey, read)).toBe(true);
    expect(queue.changedSince('other', read)).toBe(false);
    expect(queue.changedSince(n.groupKey, queue.mark())).toBe(false);
  });
});
