import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { LockBackendError, LockPoolerError } from '../errors.js';
import type { AcquireOutcome, LeaseSession } from '../lease/lease-session.js';
import { withTimeout } from '../lease/with-timeout.js';
import { parseRecord, type LockRecord } from '../record.js';
import { ensureLeaseTable } from './lease-table.js';
import type { ResolvedPostgresLockOptions } from './postgres-options.js';
import { readBackendIdentity } from './pooler-guard.js';
import { leaseStatements, type LeaseStatements } from './statements.js';

/** A server session, told apart from a later one that reuses its pid by its start time. */
interface BackendIdentity {
  pid: number;
  startedAt: string;
}

/*
 * One dedicated connection per lease, straight to PostgreSQL (never through a pooler), with TCP
 * keepalives. Each lease statement is one autocommit statement. When one does not answer within
 * its timeout, the connection is dropped, and before the next statement a fresh connection
 * terminates the old server session and waits until it is gone (pg_terminate_backend, matched by pid
 * *and* backend start time so a reused pid is never hit): from then on the late statement has either
 * committed or rolled back, and nothing of it can happen later. The caller then frees whatever lease
 * that statement may have taken (`releaseOwner`), so a client-side timeout never leaves a lease
 * held on the server. As a backstop the server also cancels any statement of ours that runs past
 * twice the timeout (statement_timeout). Closing the session terminates an abandoned one too.
 */
export class PostgresSession implements LeaseSession {
  readonly backend = 'postgres' as const;
  readonly location: string;
  readonly #options: ResolvedPostgresLockOptions;
  readonly #sql: LeaseStatements;
  #client: pg.Client | undefined;
  #identity: BackendIdentity | undefined;
  #abandoned: BackendIdentity | undefined;
  #opening: Promise<pg.Client> | undefined;
  #tableReady = false;
  #closed = false;

  constructor(options: ResolvedPostgresLockOptions) {
    this.#options = options;
    this.#sql = leaseStatements(options);
    this.location = `${describeServer(options.clientConfig)} table ${options.qualifiedTable} row "${options.name}"`;
  }

  async tryAcquire(record: LockRecord, ttlMs: number, timeoutMs: number): Promise<AcquireOutcome> {
    const { name } = this.#options;
    type Row = { token: string | null; row_exists: boolean; record: unknown; remaining_ms: string | null };
    for (let attempt = 0; ; attempt++) {
      const { rows } = await this.#run<Row>('acquire', timeoutMs, this.#sql.acquire, [name, record.instanceId, JSON.stringify(record), ttlMs]);
      const row = rows[0]!;
      if (row.token !== null) return { acquired: true, fencingToken: BigInt(row.token) };
      if (row.row_exists || attempt > 0) {
        return { acquired: false, holder: readHolder(row.record, this.location), remainingMs: row.remaining_ms === null ? null : Number(row.remaining_ms) };
      }
      await this.#run('acquire', timeoutMs, this.#sql.createRow, [name]);
    }
  }

  async renew(fencingToken: bigint, ttlMs: number, timeoutMs: number): Promise<boolean> {
    return (await this.#run('renew', timeoutMs, this.#sql.renew, [this.#options.name, String(fencingToken), ttlMs])).rowCount === 1;
  }

  async release(fencingToken: bigint, timeoutMs: number): Promise<boolean> {
    return (await this.#run('release', timeoutMs, this.#sql.release, [this.#options.name, String(fencingToken)])).rowCount === 1;
  }

  async releaseOwner(instanceId: string, timeoutMs: number): Promise<void> {
    await this.#run('release', timeoutMs, this.#sql.releaseOwner, [this.#options.name, instanceId]);
  }

  async close(): Promise<void> {
    const abandoned = this.#abandoned;
    if (abandoned && !this.#closed) {
      try {
        // #open terminates the abandoned session before anything else.
        await withTimeout(this.#connection(this.#options.commandTimeoutMs), this.#options.commandTimeoutMs, () => new Error('timed out'));
      } catch {
        // The server is unreachable: it ends that session itself when it notices the dropped
        // socket, or at the latest when its statement_timeout cancels what it was running.
      }
    }
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    if (client) await endQuietly(client, this.#options.commandTimeoutMs);
  }

  async #run<R extends pg.QueryResultRow = pg.QueryResultRow>(what: string, timeoutMs: number, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    const deadline = performance.now() + timeoutMs;
    const timedOut = () => new LockBackendError({ backend: 'postgres', location: this.location, what: `${what} got no answer within ${timeoutMs} ms`, timedOut: true });
    let client: pg.Client;
    try {
      client = await withTimeout(this.#connection(timeoutMs), timeoutMs, timedOut);
    } catch (error) {
      if (error instanceof LockPoolerError) throw error;
      throw asBackendError(this.location, `${what}: cannot connect`, error);
    }
    const identity = this.#identity;
    try {
      return await withTimeout(client.query<R>(text, values), deadline - performance.now(), timedOut);
    } catch (error) {
      if (error instanceof LockBackendError && error.timedOut) this.#abandon(client, identity);
      throw asBackendError(this.location, what, error);
    }
  }

  #abandon(client: pg.Client, identity: BackendIdentity | undefined): void {
    if (this.#client !== client) return;
    this.#abandoned = identity;
    this.#client = undefined;
    this.#identity = undefined;
    void endQuietly(client, this.#options.commandTimeoutMs);
  }

  #connection(timeoutMs: number): Promise<pg.Client> {
    if (this.#closed) return Promise.reject(new Error('the lease session is closed'));
    if (this.#client) return Promise.resolve(this.#client);
    this.#opening ??= this.#open(timeoutMs).finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }

  async #open(timeoutMs: number): Promise<pg.Client> {
    const client = new pg.Client({
      application_name: `svc-lock:${this.#options.name}`.slice(0, 63),
      ...this.#options.clientConfig,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: timeoutMs,
    });
    client.on('error', () => {
      // The connection died while idle (server restart, network): the next statement reconnects.
      if (this.#client === client) {
        this.#client = undefined;
        this.#identity = undefined;
      }
    });
    try {
      await client.connect();
      const { backendPid, announcedPid } = await readBackendIdentity(client);
      if (announcedPid !== backendPid) throw new LockPoolerError(this.location, backendPid, announcedPid ?? -1);
      const { rows } = await client.query<{ started: string }>(
        `SELECT backend_start::text AS started, set_config('statement_timeout', $1, false), set_config('idle_in_transaction_session_timeout', $1, false)
         FROM pg_stat_activity WHERE pid = pg_backend_pid()`,
        // A backstop only: the client gives up after commandTimeoutMs and terminates the session.
        [String(this.#options.commandTimeoutMs * 2)],
      );
      if (this.#abandoned) await this.#terminate(client, this.#abandoned, timeoutMs);
      this.#abandoned = undefined;
      if (!this.#tableReady) {
        const missing = await ensureLeaseTable(client, this.#options);
        if (missing) throw new LockBackendError({ backend: 'postgres', location: this.location, what: missing });
        this.#tableReady = true;
      }
      this.#identity = { pid: backendPid, startedAt: rows[0]!.started };
    } catch (error) {
      await endQuietly(client, timeoutMs);
      throw error;
    }
    if (this.#closed) {
      await endQuietly(client, timeoutMs);
      throw new Error('the lease session is closed');
    }
    this.#client = client;
    return client;
  }

  /** Ends an abandoned server session and waits until it is gone. */
  async #terminate(client: pg.Client, old: BackendIdentity, timeoutMs: number): Promise<void> {
    const until = performance.now() + timeoutMs;
    const match = 'FROM pg_stat_activity WHERE pid = $1 AND backend_start = $2::timestamptz';
    await client.query(`SELECT pg_terminate_backend(pid) ${match}`, [old.pid, old.startedAt]);
    for (;;) {
      const { rowCount } = await client.query(`SELECT 1 ${match}`, [old.pid, old.startedAt]);
      if (rowCount === 0) return;
      if (performance.now() > until) throw new Error(`server process ${old.pid} of an abandoned statement did not end within ${timeoutMs} ms`);
      await sleep(10);
    }
  }
}

function readHolder(record: unknown, location: string): LockRecord | null {
  if (record === null || record === undefined) return null;
  try {
    return parseRecord(JSON.stringify(record), location);
  } catch {
    // A row written by hand or by another version: the lease is held (it has an expiry), only unnamed.
    return null;
  }
}

async function endQuietly(client: pg.Client, timeoutMs: number): Promise<void> {
  try {
    await withTimeout(client.end(), timeoutMs, () => new Error('end timed out'));
  } catch {
    // The connection is already broken or the server is unreachable; nothing is left to close that
    // the server will not close itself (it ends the session when the socket dies).
  }
}

function asBackendError(location: string, what: string, error: unknown): LockBackendError {
  if (error instanceof LockBackendError) return error;
  return new LockBackendError({ backend: 'postgres', location, what: `${what} failed` }, { cause: error });
}

/** The server and database, without credentials. */
function describeServer(config: pg.ClientConfig): string {
  if (config.connectionString) {
    try {
      const url = new URL(config.connectionString);
      return `postgres://${url.host}${url.pathname}`;
    } catch {
      // A libpq key=value string rather than a URL: name the kind only.
      return 'postgres://(connection string)';
    }
  }
  return `postgres://${config.host ?? 'localhost'}:${config.port ?? 5432}/${config.database ?? ''}`;
}
