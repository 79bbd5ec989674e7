import { defineError } from '../core/errors/index.ts';

export const ERR_FINDING_NOT_FOUND = defineError('WEFT_ERR_FINDING_NOT_FOUND', 404, (id: string) => `No finding with id "${id}".`);
export const ERR_FINDING_STATE = defineError(
  'WEFT_ERR_FINDING_STATE',
  409,
  (id: string, status: string, action: string) => `Finding ${id} is ${status}; it cannot be ${action}.`,
);
export const ERR_FLOW_NOT_FOUND = defineError('WEFT_ERR_FLOW_NOT_FOUND', 404, (id: string) => `No flow "${id}" in the catalog or among observed flows.`);
