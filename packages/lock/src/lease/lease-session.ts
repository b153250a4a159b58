import type { LockRecord } from '../record.js';

/** What one acquire attempt found on the server. */
export type AcquireOutcome =
  | { acquired: true; fencingToken: bigint }
  | {
      acquired: false;
      /** The holder's record; null when the server's copy is missing or unreadable. */
      holder: LockRecord | null;
      /** How long the server keeps the holder's lease unless it is renewed; null when unknown. */
      remainingMs: number | null;
    };

/**
 * One lease's conversation with its server: the part that differs between Redis and PostgreSQL.
 * Every method throws `LockBackendError` (EBACKEND) when the server cannot be reached or does not
 * answer within `timeoutMs`; a command that timed out is made harmless before the next command on
 * the session runs (its server-side connection is ended, so it cannot take effect later).
 */
export interface LeaseSession {
  readonly backend: 'redis' | 'postgres';
  /** Where the lease lives, for messages: the server and the key or table row. */
  readonly location: string;
  /**
   * Takes the lease if it is free or expired, with a new fencing token. A lease already held by
   * `record.instanceId` (an earlier attempt whose answer was lost) is taken back with its token.
   */
  tryAcquire(record: LockRecord, ttlMs: number, timeoutMs: number): Promise<AcquireOutcome>;
  /** Extends the lease if the server still has it under this token; false when it does not. */
  renew(fencingToken: bigint, ttlMs: number, timeoutMs: number): Promise<boolean>;
  /** Ends the lease if the server still has it under this token; false when it did not. */
  release(fencingToken: bigint, timeoutMs: number): Promise<boolean>;
  /** Ends any lease held by this owner: undoes an acquire whose answer never came. */
  releaseOwner(instanceId: string, timeoutMs: number): Promise<void>;
  /** Closes the connection. */
  close(): Promise<void>;
}
