import type { DomainRow, FlowRow, OwnerRow, SystemRow } from '../api/types.ts';

export type Tab = 'systems' | 'flows' | 'owners' | 'domains';
export const tabs: Tab[] = ['systems', 'flows', 'owners', 'domains'];

export interface Inventory {
  systems: SystemRow[];
  flows: FlowRow[];
  owners: OwnerRow[];
  domains: DomainRow[];
}

/** Rows whose text holds every word of the filter (case-insensitive). */
export function matching<T>(rows: T[], filter: string): T[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return rows;
  return rows.filter((row) => {
    const text = JSON.stringify(row).toLowerCase();
    return words.every((w) => text.includes(w));
  });
}
