import { defineError } from '../core/errors/index.ts';

export const ERR_FLOW_NOT_FOUND = defineError('WEFT_ERR_FLOW_NOT_FOUND', 404, (id: string) => `No flow "${id}" in the catalog or among observed flows.`);
