import { RecordCollection } from './record-store.ts';

/** The records one demo system keeps: a collection per record kind ("customers", "invoices"…). */
export class SystemStore {
  private readonly collections = new Map<string, RecordCollection>();

  constructor(
    readonly systemId: string,
    collections: Record<string, string>,
  ) {
    for (const [name, prefix] of Object.entries(collections)) this.collections.set(name, new RecordCollection(name, prefix));
  }

  has(name: string): boolean {
    return this.collections.has(name);
  }

  collection(name: string): RecordCollection {
    const found = this.collections.get(name);
    if (!found) throw new Error(`The demo ${this.systemId} keeps no "${name}"; it keeps ${[...this.collections.keys()].join(', ')}.`);
    return found;
  }

  names(): string[] {
    return [...this.collections.keys()];
  }
}
