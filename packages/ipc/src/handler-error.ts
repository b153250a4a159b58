import { describe } from './errors.js';
import { errorBody, type RpcErrorBody } from './protocol.js';

/** Codes a handler may send as its own: `ELOCKED`, `ENOT_FOUND`, `ERR_X`, `not_found`, … */
const HANDLER_CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const MAX_MESSAGE_CHARS = 4096;

/**
 * Turns whatever a handler threw into an error body: its own `code` when it has a usable one (else
 * EIPC_HANDLER), its message, and its `data` when that is JSON and small. Never the stack: it names
 * files and lines of the server, which a client has no business seeing.
 */
export function handlerErrorBody(error: unknown, maxFrameBytes: number): RpcErrorBody {
  const fields = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const ownCode = fields.code;
  const code = typeof ownCode === 'string' && HANDLER_CODE.test(ownCode) ? ownCode : 'EIPC_HANDLER';
  let message =
    typeof fields.message === 'string' && fields.message.length > 0 ? fields.message : `handler threw ${describe(error)}`;
  if (message.length > MAX_MESSAGE_CHARS) message = `${message.slice(0, MAX_MESSAGE_CHARS)}…`;
  return errorBody(code, message, usableData(fields.data ?? ownFields(fields), maxFrameBytes));
}

/**
 * Without a `data` field, an error's own enumerable fields are its data (a coded error keeps what
 * the user needs there: a holder record, a stderr tail). Never its stack, cause, code or message.
 */
function ownFields(fields: Record<string, unknown>): Record<string, unknown> | undefined {
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (['code', 'message', 'name', 'stack', 'cause'].includes(key) || typeof value === 'function') continue;
    data[key] = value;
  }
  return Object.keys(data).length > 0 ? data : undefined;
}

/** The error's data when it serialises to JSON within half a frame; dropped otherwise. */
function usableData(data: unknown, maxFrameBytes: number): unknown {
  if (data === undefined) return undefined;
  try {
    const json = JSON.stringify(data);
    if (json === undefined || Buffer.byteLength(json) > maxFrameBytes / 2) return undefined;
    return JSON.parse(json) as unknown;
  } catch {
    // A cycle or a BigInt: the data cannot travel, but the code and message still do.
    return undefined;
  }
}
