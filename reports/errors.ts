import { defineError, WeftError } from '../core/errors/index.ts';

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
export const ERR_REPORT_BUNDLE_CHANGED = defineError(
  'WEFT_ERR_REPORT_BUNDLE_CHANGED',
  409,
  (id: string, why: string) =>
    `The file recorded for report ${id} is not the bundle it wrote (${why}), so it was not sent: start a new report for the period, or ask an admin what replaced it.`,
);
export const ERR_REPORT_PERIOD = defineError('WEFT_ERR_REPORT_PERIOD', 400, (what: string) => what);
export const ERR_SIGNING_KEY = defineError('WEFT_ERR_SIGNING_KEY', 500, (what: string) => what);
export const ERR_REPORT_FILE_EXISTS = defineError(
  'WEFT_ERR_REPORT_FILE_EXISTS',
  409,
  (file: string) =>
    `${file} was created by something else while the report was assembled: it was left as it is and this report was not written; write it to another file.`,
);
export const ERR_REPORT_BUILD = defineError(
  'WEFT_ERR_REPORT_BUILD',
  500,
  (what: string) => `The report could not be assembled: ${what}. Nothing was written; the run is recorded as failed.`,
);

/**
 * Every export place is taken (`ExportSlots`): HTTP 429, and `details.retryAfterSeconds` is sent as Retry-After by the
 * HTTP edge. The message says what to do.
 */
export function ERR_REPORTS_BUSY(busy: { running: number; waiting: number }, retryAfterSeconds: number): WeftError {
  return new WeftError(
    ERR_REPORTS_BUSY.code,
    `Weft is assembling ${busy.running} report${busy.running === 1 ? '' : 's'} and has ${busy.waiting} waiting, as many as it takes at once: ` +
      `try again in ${retryAfterSeconds} s (Retry-After); the reports already started are listed by GET /api/v1/reports.`,
    ERR_REPORTS_BUSY.statusCode,
    { retryAfterSeconds },
  );
}
ERR_REPORTS_BUSY.code = 'WEFT_ERR_REPORTS_BUSY';
ERR_REPORTS_BUSY.statusCode = 429;
