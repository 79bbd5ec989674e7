/**
 * The finding contract's lists (core/contracts/finding-lists.ts, which imports nothing), for clients
 * that bundle values (the UI's filters): this module pulls in no schema and no TypeBox.
 */
export { findingKinds, findingStatuses, severities } from '../../core/contracts/finding-lists.ts';
