export { flattenShape, diffShapes, schemaDriftCandidates } from './schema-drift.ts';
export type { ShapeSnapshot, SchemaState, ShapeDiff, ReportedBy } from './schema-drift.ts';
