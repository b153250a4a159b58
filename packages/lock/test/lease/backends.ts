import { startPostgres, startRedis, type PostgresServer, type RedisServer } from '../servers.js';

export type BackendName = 'redis' | 'postgres';

/** Starts the backend's server for a suite. */
export async function startBackend(backend: BackendName): Promise<RedisServer | PostgresServer> {
  return backend === 'redis' ? startRedis({ durable: true }) : startPostgres();
}
