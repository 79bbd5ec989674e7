import { defineError } from '../core/errors/index.ts';

/** 404: a finding id that is not in `weft_findings`. */
export const ERR_FINDING_NOT_FOUND = defineError('WEFT_ERR_FINDING_NOT_FOUND', 404, (id: string) => `No finding with id "${id}".`);
/** 409: a lifecycle action that the finding's current status does not allow (e.g. acknowledging a resolved finding). */
export const ERR_FINDING_STATE = defineError(
  'WEFT_ERR_FINDING_STATE',
  409,
  (id: string, status: string, action: string) => `Finding ${id} is ${status}; it cannot be ${action}.`,
);
