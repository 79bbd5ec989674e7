/**
 * `items` grouped by `key`: each key once, in the order it first comes, with its items in their order (what
 * `Map.groupBy` does from Node 21; Weft runs on Node 20). Lists grow in place: a copy per item was quadratic for a
 * group of many items.
 */
export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
