import type { Client } from 'pg';
import type { ResolvedPostgresLockOptions } from './postgres-options.js';

/**
 * Creates the lease table and its token sequence if they are missing. Concurrent first starts
 * serialise on a transaction-scoped advisory lock (released at COMMIT or when the session ends, so
 * it cannot leak), because CREATE … IF NOT EXISTS is not safe against itself running concurrently.
 * Returns a reason when they are missing and may not be created.
 */
export async function ensureLeaseTable(client: Client, o: ResolvedPostgresLockOptions): Promise<string | null> {
  const exists = async () => {
    const { rows } = await client.query<{ table: boolean; sequence: boolean; schema: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS table, to_regclass($2) IS NOT NULL AS sequence, to_regnamespace($3) IS NOT NULL AS schema',
      [o.qualifiedTable, o.qualifiedSequence, `"${o.schema}"`],
    );
    return rows[0]!;
  };
  const found = await exists();
  if (found.table && found.sequence) return null;
  if (!o.createTable) return `the lease table ${o.qualifiedTable} or its sequence ${o.qualifiedSequence} does not exist and createTable is false`;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`svc-lock-schema ${o.qualifiedTable}`]);
    if (!found.schema && !(await exists()).schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${o.schema}"`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${o.qualifiedTable} (
  name text PRIMARY KEY,
  token bigint NOT NULL,
  owner text NOT NULL,
  record jsonb NOT NULL,
  acquired_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL)`);
    await client.query(`CREATE SEQUENCE IF NOT EXISTS ${o.qualifiedSequence}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  return null;
}
