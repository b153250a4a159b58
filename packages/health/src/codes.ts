/**
 * Codes a failing check reports in place of its error message. These are the only words about a
 * failure that reach an unauthenticated response (a check's own `code` is passed through only when
 * it looks like one: see SAFE_CODE). The docs page's `## Check codes` table lists the same codes.
 */
export const CHECK_CODES = [
  'ECHECK_TIMEOUT',
  'ECHECK_ERROR',
  'ECHECK_FAILED',
  'ECHECK_THRESHOLD',
  'EEVENT_LOOP_DELAY',
  'ERSS_LIMIT',
  'EHEAP_LIMIT',
] as const;

export type CheckCode = (typeof CHECK_CODES)[number];

/**
 * A code a check may set itself (`ECONNREFUSED`, `EDB_DOWN`, a SQLSTATE-like `E28P01`): upper case,
 * short, no spaces. Anything else (a message, a URL, a value) is replaced by ECHECK_ERROR, because a
 * free-form string could carry a secret or a path.
 */
export const SAFE_CODE = /^E[A-Z0-9_]{1,31}$/;

/**
 * Codes in the bodies of the endpoints' own error answers (not check results). The docs page's
 * `## Response codes` table lists the same codes.
 */
export const RESPONSE_CODES = ['EMETHOD', 'EUNAUTHORIZED', 'EHEALTH_INTERNAL'] as const;

export type ResponseCode = (typeof RESPONSE_CODES)[number];
