import type { ResolvedPostgresLockOptions } from './postgres-options.js';

/*
 * The lease as single statements over one row per lock name, each atomic on its own (autocommit),
 * every time taken from the database's clock (now(): when the statement's transaction began, which
 * is after the client sent it), never the client's.
 *
 * The row of a name, once created, is never deleted: release sets `expires_at` to -infinity. So the
 * only way to take a lease is the UPDATE below, which draws the fencing token from the sequence
 * while it holds the row lock, after the previous holder's change committed: tokens strictly grow
 * from one holder to the next. (Deleting rows would let an INSERT that drew its token earlier land
 * after a later holder.)
 */
export function leaseStatements(o: Pick<ResolvedPostgresLockOptions, 'qualifiedTable' | 'qualifiedSequence'>) {
  const t = o.qualifiedTable;
  const ttl = (param: string) => `now() + ${param}::bigint * interval '1 millisecond'`;
  return {
    /**
     * $1 name, $2 owner, $3 record, $4 ttlMs. Takes a free or expired lease with a new token, or
     * one this owner already holds (an attempt whose answer was lost) with its token. Returns the
     * token, or the holder as it was when the statement began.
     */
    acquire: `WITH taken AS (
  UPDATE ${t} SET
    token = CASE WHEN owner = $2 THEN token ELSE nextval('${o.qualifiedSequence}') END,
    acquired_at = CASE WHEN owner = $2 THEN acquired_at ELSE now() END,
    owner = $2, record = $3::jsonb, expires_at = ${ttl('$4')}
  WHERE name = $1 AND (expires_at <= now() OR owner = $2)
  RETURNING token)
SELECT (SELECT token::text FROM taken) AS token,
  held.name IS NOT NULL AS row_exists,
  held.record,
  CASE WHEN held.expires_at > now() THEN (extract(epoch FROM held.expires_at - now()) * 1000)::bigint END AS remaining_ms
FROM (SELECT 1) AS one LEFT JOIN ${t} AS held ON held.name = $1`,
    /** $1 name. The row a name's leases live in, created free. */
    createRow: `INSERT INTO ${t} (name, token, owner, record, acquired_at, expires_at)
VALUES ($1, 0, '', '{}', '-infinity', '-infinity') ON CONFLICT (name) DO NOTHING`,
    /** $1 name, $2 token, $3 ttlMs. One row when the lease was still this token's and is extended. */
    renew: `UPDATE ${t} SET expires_at = ${ttl('$3')} WHERE name = $1 AND token = $2::bigint AND expires_at > now()`,
    /** $1 name, $2 token. One row when the lease was still this token's and is now free. */
    release: `UPDATE ${t} SET expires_at = '-infinity' WHERE name = $1 AND token = $2::bigint AND expires_at > now()`,
    /** $1 name, $2 owner. Frees a lease this owner may hold without knowing it. */
    releaseOwner: `UPDATE ${t} SET expires_at = '-infinity' WHERE name = $1 AND owner = $2`,
  };
}

export type LeaseStatements = ReturnType<typeof leaseStatements>;
