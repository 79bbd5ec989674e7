/**
 * A report's data crosses to the worker thread in pieces: a structured clone of the whole of a large estate's data
 * (3,000 systems and flows: ~2.5 MB as JSON) holds the sending thread for hundreds of milliseconds at once, while
 * one piece of at most `PIECE_ITEMS` array items holds it for a few. `piecesOf` splits, `assemblePieces` puts back.
 */

/** The most array items one piece carries. */
export const PIECE_ITEMS = 250;

/** One piece: the value at `path` (keys from the data's top, at most two deep), or more items of the array there. */
export interface Piece {
  path: string[];
  value: unknown;
  /** `value` is items to append to the array at `path` (created empty by a first piece). */
  append?: boolean;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** Splits `value` into pieces: its fields and its objects' fields (two levels), arrays cut into runs of `PIECE_ITEMS` items. */
export function* piecesOf(value: Record<string, unknown>, depth = 2, path: string[] = []): Generator<Piece> {
  for (const [key, field] of Object.entries(value)) {
    const at = [...path, key];
    if (Array.isArray(field) && field.length > PIECE_ITEMS) {
      yield { path: at, value: [] };
      for (let i = 0; i < field.length; i += PIECE_ITEMS) yield { path: at, value: field.slice(i, i + PIECE_ITEMS), append: true };
    } else if (depth > 1 && isPlainObject(field)) {
      yield { path: at, value: {} };
      yield* piecesOf(field, depth - 1, at);
    } else yield { path: at, value: field };
  }
}

/** Puts a piece into `into` (what `piecesOf` split, rebuilt in the same key order). */
export function assemblePiece(into: Record<string, unknown>, piece: Piece): void {
  let node = into;
  for (const key of piece.path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const key = piece.path[piece.path.length - 1];
  if (piece.append) (node[key] as unknown[]).push(...(piece.value as unknown[]));
  // Own data properties, whatever the key (a key named "__proto__" stays a key).
  else Object.defineProperty(node, key, { value: piece.value, enumerable: true, writable: true, configurable: true });
}
