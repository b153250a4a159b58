import { IpcError } from './errors.js';

/*
 * The wire protocol: JSON-RPC 2.0 messages, one per line (UTF-8 JSON followed by "\n"). JSON.stringify
 * escapes every newline inside strings, so a serialised message never contains a raw "\n" and the
 * line break is an unambiguous frame delimiter. docs/packages/ipc.md specifies it for other languages.
 */

export type RequestId = string | number;

export interface RpcRequest {
  readonly id: RequestId | undefined;
  readonly method: string;
  readonly params: unknown;
}

export interface RpcErrorBody {
  code: number;
  message: string;
  data: { code: string; details?: unknown };
}

/** Methods the protocol itself uses; user methods may not start with this prefix. */
export const RESERVED_PREFIX = 'ipc.';
/** server → client notification: `{ subscription, event }`. */
export const EVENT_METHOD = 'ipc.event';
/** server → client notification: `{ subscription, error? }`; the subscription is over. */
export const END_METHOD = 'ipc.end';
/** client → server request: `{ subscription }` → `true` (found and ended) or `false`. */
export const UNSUBSCRIBE_METHOD = 'ipc.unsubscribe';
/** client → server notification: `{ id }`; the client gave up on that call (its timeout ran out). */
export const CANCEL_METHOD = 'ipc.cancel';

export const MAX_METHOD_CHARS = 256;
export const MAX_ID_CHARS = 256;

/*
 * JSON-RPC 2.0 wants an integer error code; our string code rides in `error.data.code`, which is
 * what clients should branch on. -32700…-32603 are the codes JSON-RPC defines, -32000…-32099 are
 * "implementation-defined server errors".
 */
const RPC_CODES: Readonly<Record<string, number>> = {
  EIPC_BAD_FRAME: -32700,
  EIPC_FRAME_TOO_LARGE: -32600,
  EIPC_UNKNOWN_METHOD: -32601,
  EIPC_BAD_PARAMS: -32602,
  EIPC_HANDLER: -32603,
  EIPC_TIMEOUT: -32001,
  EIPC_BUSY: -32002,
};
/** The JSON-RPC code of an error a handler threw with its own `code` (`ELOCKED`, …). */
export const APPLICATION_RPC_CODE = -32000;

export function rpcCodeOf(code: string): number {
  return RPC_CODES[code] ?? APPLICATION_RPC_CODE;
}

export function errorBody(code: string, message: string, details?: unknown): RpcErrorBody {
  const data: RpcErrorBody['data'] = { code };
  if (details !== undefined) data.details = details;
  return { code: rpcCodeOf(code), message, data };
}

/**
 * Serialises one message as a frame (JSON + "\n"). Throws EIPC_BAD_PARAMS when the value cannot be
 * JSON (a BigInt, a cycle) and EIPC_FRAME_TOO_LARGE when the frame would pass `maxFrameBytes`.
 */
export function encodeFrame(message: object, maxFrameBytes: number, what: string): string {
  let json: string;
  try {
    json = JSON.stringify(message);
  } catch (error) {
    throw new IpcError('EIPC_BAD_PARAMS', `@svc/ipc: ${what} cannot be serialised as JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // Cheap upper bound first: a UTF-16 code unit is at most 3 UTF-8 bytes.
  if (json.length * 3 > maxFrameBytes) {
    const bytes = Buffer.byteLength(json);
    if (bytes > maxFrameBytes) {
      throw new IpcError(
        'EIPC_FRAME_TOO_LARGE',
        `@svc/ipc: ${what} is ${bytes} bytes as JSON, over the ${maxFrameBytes}-byte frame limit (maxFrameBytes).`,
      );
    }
  }
  return `${json}\n`;
}

export type ParsedRequest = { ok: true; request: RpcRequest } | { ok: false; id: RequestId | null; reason: string };

/** Checks that a decoded frame is a JSON-RPC 2.0 request or notification we accept. */
export function parseRequest(value: unknown): ParsedRequest {
  if (Array.isArray(value)) return { ok: false, id: null, reason: 'batches (JSON arrays) are not supported' };
  if (typeof value !== 'object' || value === null) {
    return { ok: false, id: null, reason: 'a frame must be a JSON object' };
  }
  const message = value as Record<string, unknown>;
  const id = Object.hasOwn(message, 'id') ? message.id : undefined;
  const idOk = id === undefined || isRequestId(id);
  if (!idOk) return { ok: false, id: null, reason: `"id" must be a string of at most ${MAX_ID_CHARS} characters or a finite number` };
  if (message.jsonrpc !== '2.0') return { ok: false, id: id ?? null, reason: '"jsonrpc" must be "2.0"' };
  const method = message.method;
  if (typeof method !== 'string' || method.length === 0 || method.length > MAX_METHOD_CHARS) {
    return { ok: false, id: id ?? null, reason: `"method" must be a non-empty string of at most ${MAX_METHOD_CHARS} characters` };
  }
  return { ok: true, request: { id, method, params: Object.hasOwn(message, 'params') ? message.params : undefined } };
}

export function isRequestId(value: unknown): value is RequestId {
  return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.length <= MAX_ID_CHARS);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
