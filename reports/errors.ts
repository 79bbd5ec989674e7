import { defineError } from '../core/errors/index.ts';

/** Error codes of the reports part (the catalogue's style: code, HTTP status, message saying what to change). */
export const ERR_REPORT_NOT_FOUND = defineError(
  'WEFT_ERR_REPORT_NOT_FOUND',
  404,
  (id: string) => `No report with id "${id}" (list them with GET /api/v1/reports).`,
);
export const ERR_REPORT_NOT_READY = defineError(
  'WEFT_ERR_REPORT_NOT_READY',
  409,
  (id: string, status: string) => `Report ${id} is ${status}; its bundle is there once GET /api/v1/reports/${id} says "done".`,
);
export const ERR_REPORT_PERIOD = defineError('WEFT_ERR_REPORT_PERIOD', 400, (what: string) => what);
export const ERR_SIGNING_KEY = defineError('WEFT_ERR_SIGNING_KEY', 500, (what: string) => what);
export const ERR_REPORT_FILE_EXISTS = defineError(
  'WEFT_ERR_REPORT_FILE_EXISTS',
  409,
  (file: string) =>
    `${file} was created by something else while the report was assembled: it was left as it is and this report was not written; write it to another file.`,
);
