/** One system's records of one kind, in memory, with a change sequence so batch syncs can read "changed since". */
export interface DemoRecord {
  id: string;
  /** Change sequence: bumped on every write, so `changedSince(seq)` finds what a sync must move. */
  seq: number;
  [field: string]: unknown;
}

export class RecordCollection {
  private readonly records = new Map<string, DemoRecord>();
  private nextId = 1;
  private seq = 0;
  private keeps: ((id: string) => boolean) | undefined;

  constructor(
    readonly name: string,
    private readonly idPrefix: string,
  ) {}

  count(): number {
    return this.records.size;
  }

  get(id: string): DemoRecord | undefined {
    return this.records.get(id);
  }

  /** Creates a record; the id is given (a copy from another system) or assigned here. */
  create(fields: Record<string, unknown>): DemoRecord {
    const id = typeof fields.id === 'string' && fields.id ? fields.id : `${this.idPrefix}-${String(this.nextId++).padStart(6, '0')}`;
    return this.put(id, fields);
  }

  /** Inserts or replaces the record with this id. */
  put(id: string, fields: Record<string, unknown>): DemoRecord {
    const record: DemoRecord = { ...fields, id, seq: ++this.seq };
    if (this.keeps && !this.keeps(id)) return record;
    this.records.set(id, record);
    return record;
  }

  /**
   * A storage defect: records whose id fails `keeps` are dropped now and silently discarded when
   * written later, though the write still answers as if it succeeded. `undefined` ends the defect.
   */
  loseRecords(keeps: ((id: string) => boolean) | undefined): void {
    this.keeps = keeps;
    if (!keeps) return;
    for (const id of [...this.records.keys()]) if (!keeps(id)) this.records.delete(id);
  }

  /** Merges fields into an existing record; undefined when there is none. */
  patch(id: string, fields: Record<string, unknown>): DemoRecord | undefined {
    const current = this.records.get(id);
    if (!current) return undefined;
    return this.put(id, { ...current, ...fields });
  }

  remove(id: string): boolean {
    return this.records.delete(id);
  }

  /** Records written after `seq`, oldest change first, at most `limit`. */
  changedSince(seq: number, limit = Number.POSITIVE_INFINITY): DemoRecord[] {
    const out: DemoRecord[] = [];
    for (const record of this.records.values()) if (record.seq > seq) out.push(record);
    out.sort((a, b) => a.seq - b.seq);
    return out.length > limit ? out.slice(0, limit) : out;
  }

  /** The newest change sequence: a sync that has read everything up to here stores it as its watermark. */
  lastSeq(): number {
    return this.seq;
  }

  ids(): string[] {
    return [...this.records.keys()];
  }
}
