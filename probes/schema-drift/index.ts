export { flattenShape, diffShapes, schemaDriftCandidates } from './schema-drift.ts';
export type { ShapeSnapshot, SchemaState, ShapeDiff } from './schema-drift.ts';
