import { Redis, type RedisOptions } from 'ioredis';
import { LockBackendError } from '../errors.js';
import type { AcquireOutcome, LeaseSession } from '../lease/lease-session.js';
import { withTimeout } from '../lease/with-timeout.js';
import { parseRecord, type LockRecord } from '../record.js';
import type { ResolvedRedisLockOptions } from './redis-options.js';
import { ACQUIRE, RELEASE, RELEASE_OWNER, RENEW } from './scripts.js';

interface LeaseCommands {
  svcLeaseAcquire(lockKey: string, tokenKey: string, owner: string, ttlMs: number, record: string): Promise<[number, string, string?, number?]>;
  svcLeaseRenew(lockKey: string, token: string, ttlMs: number): Promise<number>;
  svcLeaseRelease(lockKey: string, token: string): Promise<number>;
  svcLeaseReleaseOwner(lockKey: string, owner: string): Promise<number>;
}
type LeaseClient = Redis & LeaseCommands;

/** Which server connection a command ran on: client ids are unique per server run. */
interface ConnectionIdentity {
  runId: string;
  clientId: number;
}

/*
 * Every command goes out at most once: no offline queue, no resending after a reconnect (a lease
 * command replayed later could act on a lease that has changed hands). A command that does not
 * answer in time has its connection dropped; before the next command, a fresh connection kills
 * that old server-side client (CLIENT KILL ID, once Redis has read everything it will ever read from
 * it), so the late command can no longer take effect.
 */
const CLIENT_OPTIONS: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 0,
  keepAlive: 10_000,
  retryStrategy: (attempt: number) => Math.min(attempt * 50, 1_000),
};

export class RedisSession implements LeaseSession {
  readonly backend = 'redis' as const;
  readonly location: string;
  readonly #options: ResolvedRedisLockOptions;
  #client: LeaseClient | undefined;
  #identity: ConnectionIdentity | undefined;
  #abandoned: ConnectionIdentity | undefined;
  #opening: Promise<LeaseClient> | undefined;
  #closed = false;

  constructor(options: ResolvedRedisLockOptions) {
    this.#options = options;
    this.location = `${describeServer(options)} key ${options.lockKey}`;
  }

  async tryAcquire(record: LockRecord, ttlMs: number, timeoutMs: number): Promise<AcquireOutcome> {
    const reply = await this.#run('acquire', timeoutMs, (c) => c.svcLeaseAcquire(this.#options.lockKey, this.#options.tokenKey, record.instanceId, ttlMs, JSON.stringify(record)));
    if (reply[0] === 1) return { acquired: true, fencingToken: BigInt(reply[1]) };
    let holder: LockRecord | null;
    try {
      holder = reply[2] ? parseRecord(reply[2], this.location) : null;
    } catch {
      // Someone else's damaged record: the lease is still held (it has a TTL), only unnamed.
      holder = null;
    }
    const pttl = Number(reply[3]);
    return { acquired: false, holder, remainingMs: pttl >= 0 ? pttl : null };
  }

  async renew(fencingToken: bigint, ttlMs: number, timeoutMs: number): Promise<boolean> {
    return (await this.#run('renew', timeoutMs, (c) => c.svcLeaseRenew(this.#options.lockKey, String(fencingToken), ttlMs))) === 1;
  }

  async release(fencingToken: bigint, timeoutMs: number): Promise<boolean> {
    return (await this.#run('release', timeoutMs, (c) => c.svcLeaseRelease(this.#options.lockKey, String(fencingToken)))) === 1;
  }

  async releaseOwner(instanceId: string, timeoutMs: number): Promise<void> {
    await this.#run('release', timeoutMs, (c) => c.svcLeaseReleaseOwner(this.#options.lockKey, instanceId));
  }

  close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    this.#identity = undefined;
    client?.disconnect();
    return Promise.resolve();
  }

  async #run<T>(what: string, timeoutMs: number, command: (client: LeaseClient) => Promise<T>): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    const timedOut = () => new LockBackendError({ backend: 'redis', location: this.location, what: `${what} got no answer within ${timeoutMs} ms`, timedOut: true });
    let client: LeaseClient;
    try {
      client = await withTimeout(this.#connection(timeoutMs), timeoutMs, timedOut);
    } catch (error) {
      throw asBackendError(this.location, `${what}: cannot connect`, error);
    }
    const identity = this.#identity;
    try {
      return await withTimeout(command(client), deadline - performance.now(), timedOut);
    } catch (error) {
      if (error instanceof LockBackendError && error.timedOut) this.#abandon(client, identity);
      throw asBackendError(this.location, what, error);
    }
  }

  /** Drops a connection whose command may still run: the next connection kills it on the server first. */
  #abandon(client: LeaseClient, identity: ConnectionIdentity | undefined): void {
    if (this.#client !== client) return;
    this.#abandoned = identity;
    this.#client = undefined;
    this.#identity = undefined;
    client.disconnect();
  }

  #connection(timeoutMs: number): Promise<LeaseClient> {
    if (this.#closed) return Promise.reject(new Error('the lease session is closed'));
    if (this.#client && this.#identity) return Promise.resolve(this.#client);
    this.#opening ??= this.#open(timeoutMs).finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }

  async #open(timeoutMs: number): Promise<LeaseClient> {
    let client = this.#client;
    if (!client) {
      const settings: RedisOptions = { ...CLIENT_OPTIONS, connectTimeout: timeoutMs };
      client = (this.#options.client ? this.#options.client.duplicate(settings) : new Redis(this.#options.url!, settings)) as LeaseClient;
      // Failures surface through the commands that fail; this only keeps ioredis from printing them.
      client.on('error', () => undefined);
      client.on('ready', () => {
        // A reconnect is a new server-side client: learn its id again before the next command.
        if (this.#client === client) this.#identity = undefined;
      });
      client.defineCommand('svcLeaseAcquire', { numberOfKeys: 2, lua: ACQUIRE });
      client.defineCommand('svcLeaseRenew', { numberOfKeys: 1, lua: RENEW });
      client.defineCommand('svcLeaseRelease', { numberOfKeys: 1, lua: RELEASE });
      client.defineCommand('svcLeaseReleaseOwner', { numberOfKeys: 1, lua: RELEASE_OWNER });
      this.#client = client;
      try {
        await client.connect();
      } catch (error) {
        this.#client = undefined;
        client.disconnect();
        throw error;
      }
    }
    if (client.status !== 'ready') throw new Error(`the connection is ${client.status}`);
    const [clientId, info] = await Promise.all([client.client('ID'), client.info('server')]);
    const runId = /run_id:(\w+)/.exec(info)?.[1] ?? '';
    const abandoned = this.#abandoned;
    if (abandoned && abandoned.runId === runId) {
      try {
        await client.client('KILL', 'ID', String(abandoned.clientId));
      } catch (error) {
        // "No such client": the old connection is already gone, and with it anything it had not run.
        if (!/no such client/i.test((error as Error).message)) throw error;
      }
    }
    // Another run of the server (a restart) has none of the old connections any more.
    this.#abandoned = undefined;
    if (this.#client === client) this.#identity = { runId, clientId: Number(clientId) };
    return client;
  }
}

function asBackendError(location: string, what: string, error: unknown): LockBackendError {
  if (error instanceof LockBackendError) return error;
  return new LockBackendError({ backend: 'redis', location, what: `${what} failed` }, { cause: error });
}

/** The server, without credentials. */
function describeServer(options: ResolvedRedisLockOptions): string {
  if (options.url) {
    try {
      const url = new URL(options.url);
      return `${url.protocol}//${url.host}${url.pathname.length > 1 ? url.pathname : ''}`;
    } catch {
      // Not parseable as a WHATWG URL but accepted by ioredis: name the scheme only.
      return 'redis://(unparsed url)';
    }
  }
  const o = options.client!.options;
  return `redis://${o.host ?? 'localhost'}:${o.port ?? 6379}`;
}
