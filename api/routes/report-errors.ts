import { defineError } from '../../core/errors/index.ts';

export const ERR_REPORTS_OFF = defineError(
  'WEFT_ERR_REPORTS_OFF',
  503,
  () => 'Reports are not served by this process; start Weft with the API and the analyzer (or without --only).',
);
