/**
 * The label values of the request metrics. Every one comes from a fixed list or from a route
 * pattern the application declared: never from the URL, so the number of series stays bounded
 * whatever clients send.
 */

/** The `method` label values besides `OTHER`: RFC 9110's methods and PATCH (RFC 5789). */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] as const;
/** The `method` label of any other method (Node's parser accepts some 30, WebDAV's among them). */
export const OTHER_METHOD = 'OTHER';

/** The `route` label of a request no route pattern was found for: 404s, and node:http without `route`. */
export const UNMATCHED_ROUTE = 'unmatched';
/** The `route` label of a request whose pattern would have exceeded `maxRoutes` distinct values. */
export const OTHER_ROUTE = 'other';

/** The `status_class` label of a request whose connection closed before its response was complete. */
export const ABORTED_STATUS_CLASS = 'aborted';

/** Index of a method in a series table row; OTHER_METHOD is the last one. */
export const METHOD_LABELS: readonly string[] = [...HTTP_METHODS, OTHER_METHOD];
const METHOD_INDEX = new Map<string, number>(HTTP_METHODS.map((method, i) => [method, i]));

export function methodIndex(method: string | undefined): number {
  return (method === undefined ? undefined : METHOD_INDEX.get(method)) ?? HTTP_METHODS.length;
}

/**
 * Index 0 is `aborted`, then `1xx` … `9xx` by the status code's first digit: Node accepts codes
 * from 100 to 999, so the class is always one digit.
 */
export const STATUS_CLASS_LABELS: readonly string[] = [ABORTED_STATUS_CLASS, '1xx', '2xx', '3xx', '4xx', '5xx', '6xx', '7xx', '8xx', '9xx'];

export function statusClassIndex(finished: boolean, statusCode: number): number {
  if (!finished) return 0;
  const digit = Math.floor(statusCode / 100);
  return digit >= 1 && digit <= 9 ? digit : 5;
}
