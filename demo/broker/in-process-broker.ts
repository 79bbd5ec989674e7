/** A message on a demo topic: the payload plus the headers a real broker would carry (trace context). */
export interface BrokerMessage {
  topic: string;
  payload: Record<string, unknown>;
  headers: Record<string, string>;
}

export type Subscriber = (message: BrokerMessage) => Promise<void>;

/**
 * A topic broker in the demo process, standing for the enterprise's Kafka-style event bus.
 * Delivery is asynchronous (the publisher never waits for consumers), at most once, in order per topic.
 */
export class InProcessBroker {
  private readonly subscribers = new Map<string, Subscriber[]>();
  private readonly pending = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly onError: (err: unknown, message: BrokerMessage) => void) {}

  subscribe(topic: string, subscriber: Subscriber): void {
    const list = this.subscribers.get(topic) ?? [];
    list.push(subscriber);
    this.subscribers.set(topic, list);
  }

  publish(topic: string, payload: Record<string, unknown>, headers: Record<string, string> = {}): void {
    if (this.closed) return;
    const message: BrokerMessage = { topic, payload, headers };
    for (const subscriber of this.subscribers.get(topic) ?? []) {
      const delivery = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => subscriber(message))
        .catch((err: unknown) => this.onError(err, message))
        .finally(() => this.pending.delete(delivery));
      this.pending.add(delivery);
    }
  }

  /** Stops accepting messages and waits for deliveries in flight. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.pending]);
  }
}
