import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock, type LeaseHandle, type LockError, type LockHeldError, type LockPoolerError } from '../../src/postgres/index.js';
import { describeLeaseApi, lockError } from '../lease/api-suite.js';
import { startPgBouncer, startPostgres, stopAllServers, type PostgresServer } from '../servers.js';

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}


describeLeaseApi('postgres', acquireLock as never, async (url, name) => {
  await sql(url, `UPDATE svc_locks SET expires_at = '-infinity' WHERE name = $1`, [name]);
});

describe('postgres: pooler guard, client-side timeouts, schema', () => {
  let server: PostgresServer;
  const handles: LeaseHandle[] = [];
  beforeAll(async () => {
    server = await startPostgres();
    // The lease table exists from here on.
    const h = await acquireLock({ url: server.url, name: 'warm-up' });
    await h.release();
  });
  afterEach(async () => {
    await Promise.allSettled(handles.splice(0).map((h) => h.release()));
  });
  afterAll(stopAllServers);

  it('refuses a connection through PgBouncer in transaction mode (and session mode) with EPOOLER, and writes nothing', async () => {
    for (const mode of ['transaction', 'session'] as const) {
      const bouncer = await startPgBouncer(server, mode);
      try {
        const error = (await lockError(acquireLock({ url: bouncer.url, name: `pooled-${mode}` }))) as LockPoolerError;
        expect(error.code).toBe('EPOOLER');
        expect(error.backendPid).not.toBe(error.announcedPid);
        expect(error.message).toMatch(/pooler/);
      } finally {
        await bouncer.stop();
      }
      expect(await sql(server.url, 'SELECT name FROM svc_locks WHERE name = $1', [`pooled-${mode}`])).toEqual([]);
    }
    // Why it matters: behind the transaction-mode pooler a session advisory lock outlives its
    // "session" and lands on a server connection that the next client of the pool gets.
    const bouncer = await startPgBouncer(server, 'transaction');
    try {
      const a = new pg.Client({ connectionString: bouncer.url });
      await a.connect();
      const [{ pid }] = (await a.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_advisory_lock(4242)')).rows as [{ pid: number }];
      await a.end();
      const held = await sql<{ pid: number }>(server.url, "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242");
      expect(held).toEqual([{ pid }]);
    } finally {
      await bouncer.stop();
    }
  });

  it('a client-side timeout leaves no lease and no session behind on the server', async () => {
    // A session that holds the table lock makes our acquire statement hang on the server.
    const blocker = new pg.Client({ connectionString: server.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE svc_locks IN ACCESS EXCLUSIVE MODE');
      const error = await lockError(acquireLock({ url: server.url, name: 'slow', commandTimeoutMs: 500 }));
      expect(error.code).toBe('EBACKEND');
      expect((error as { timedOut?: boolean }).timedOut).toBe(true);
      // The abandoned statements' sessions were terminated, not left waiting on the lock.
      const sessions = await sql(server.url, "SELECT pid, state, query FROM pg_stat_activity WHERE application_name = 'svc-lock:slow'");
      expect(sessions).toEqual([]);
      await blocker.query('COMMIT');
    } finally {
      await blocker.end();
    }
    const rows = await sql<{ held: boolean }>(server.url, 'SELECT expires_at > now() AS held FROM svc_locks WHERE name = $1', ['slow']);
    expect(rows.every((r) => !r.held)).toBe(true);
    const h = await acquireLock({ url: server.url, name: 'slow' });
    handles.push(h);
    expect(h.isHeld).toBe(true);
  });

  it('creates the table in a configured schema, concurrently, and uses the database clock', async () => {
    const many = await Promise.allSettled(Array.from({ length: 6 }, () => acquireLock({ url: server.url, name: 'fresh', schema: 'svc_test', table: 'leases' })));
    const won = many.filter((r): r is PromiseFulfilledResult<LeaseHandle> => r.status === 'fulfilled').map((r) => r.value);
    const lost = many.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as LockError).code);
    expect(won.length).toBe(1);
    expect(lost).toEqual(Array(5).fill('ELOCKED'));
    handles.push(...won);
    const [row] = await sql<{ token: string; owner: string; ttl: number }>(
      server.url,
      "SELECT token::text, owner, (extract(epoch FROM expires_at - now()) * 1000)::float8 AS ttl FROM svc_test.leases WHERE name = 'fresh'",
    );
    expect(BigInt(row!.token)).toBe(won[0]!.fencingToken);
    expect(row!.owner).toBe(won[0]!.record.instanceId);
    expect(row!.ttl).toBeGreaterThan(0);
    expect(row!.ttl).toBeLessThanOrEqual(10_000);
  });

  it('refuses identifiers that are not plain SQL names, and a missing table with createTable: false', async () => {
    for (const [option, value] of [
      ['schema', 'public; DROP TABLE svc_locks'],
      ['table', 'svc"locks'],
      ['table', 'Leases'],
      ['schema', ''],
      ['createTable', 'yes'],
    ] as const) {
      expect((await lockError(acquireLock({ url: server.url, name: 'x', [option]: value }))).code).toBe('EINVALID_OPTIONS');
    }
    const missing = await lockError(acquireLock({ url: server.url, name: 'x', table: 'nowhere', createTable: false }));
    expect(missing.code).toBe('EBACKEND');
    expect(missing.message).toMatch(/does not exist and createTable is false/);
    expect(await sql(server.url, "SELECT to_regclass('public.nowhere') AS t")).toEqual([{ t: null }]);
  });

  it('a damaged row is ELOCKED with holder null', async () => {
    await sql(server.url, `INSERT INTO svc_locks VALUES ('damaged', 5, 'someone', '{"not":"a record"}', now(), now() + interval '1 hour')`);
    const error = await lockError(acquireLock({ url: server.url, name: 'damaged' }));
    expect(error.code).toBe('ELOCKED');
    expect((error as LockHeldError).holder).toBeNull();
  });
});
