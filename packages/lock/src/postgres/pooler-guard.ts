import type { Client } from 'pg';

/*
 * A transaction-mode pooler (PgBouncer pool_mode=transaction or statement, and the cloud proxies
 * built like it) hands each transaction whatever server session is free. Anything tied to a
 * session — a session advisory lock, a SET, a backend to terminate after a timeout — would then
 * belong to a session other clients use next. From the client side a transaction-mode pooler
 * cannot be told apart from a session-mode one in general, but a pooler of either mode can: at
 * startup PostgreSQL sends the client the process id of its backend (BackendKeyData, used for
 * cancel requests), and a pooler must send its own made-up key instead, since the client's
 * connection is not tied to one backend. So a connection whose announced process id is not the
 * pg_backend_pid() its queries run in is refused. A plain TCP proxy passes the key through and is
 * accepted.
 */

/** Returns the backend's pid and the pid the connection was announced with; they differ behind a pooler. */
export async function readBackendIdentity(client: Client): Promise<{ backendPid: number; announcedPid: number | undefined }> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  // node-postgres keeps the BackendKeyData process id on the client for its cancel requests;
  // @types/pg does not declare it.
  const announcedPid = (client as unknown as { processID?: number | null }).processID ?? undefined;
  return { backendPid: rows[0]!.pid, announcedPid };
}
