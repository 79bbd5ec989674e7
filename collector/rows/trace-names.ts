/** The OpenTelemetry Collector's spelling of span kinds and status codes (pdata `String()`). */
export const spanKindNames = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'] as const;
export const statusCodeNames = ['Unset', 'Ok', 'Error'] as const;
