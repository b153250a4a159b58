import type { ClientConfig } from 'pg';
import { LockOptionsError } from '../errors.js';
import { resolveLeaseOptions, type LeaseOptions, type ResolvedLeaseOptions } from '../lease/lease-options.js';

/** Defaults of the PostgreSQL backend's own options. The docs' table is checked against this object. */
export const POSTGRES_DEFAULTS = {
  /** The schema of the lease table. */
  schema: 'public',
  /** The lease table, one row per lock name; a sequence `<table>_token` hands out fencing tokens. */
  table: 'svc_locks',
  /** Create the table and sequence if they are missing (needs CREATE on the schema). */
  createTable: true,
} as const;

export interface PostgresLockOptions extends LeaseOptions {
  /** `postgres://user:password@host:port/db`, straight to PostgreSQL (a pooler is refused with EPOOLER). */
  url?: string;
  /** node-postgres client settings (ssl, password function, …), merged over `url`. */
  clientConfig?: ClientConfig;
  schema?: string;
  table?: string;
  createTable?: boolean;
}

export interface ResolvedPostgresLockOptions extends ResolvedLeaseOptions {
  clientConfig: ClientConfig;
  schema: string;
  table: string;
  createTable: boolean;
  /** `"schema"."table"`, quoted. */
  qualifiedTable: string;
  /** `"schema"."table_token"`, quoted. */
  qualifiedSequence: string;
}

/** An unquoted PostgreSQL identifier: no quoting games, and it fits NAMEDATALEN with `_token` added. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,56}$/;

export function resolvePostgresLockOptions(options: PostgresLockOptions): ResolvedPostgresLockOptions {
  const lease = resolveLeaseOptions(options);
  const { url, clientConfig } = options;
  if (url === undefined && clientConfig === undefined) {
    throw new LockOptionsError('EINVALID_OPTIONS', 'url', url, 'a postgres:// URL (or clientConfig)');
  }
  if (url !== undefined && (typeof url !== 'string' || !/^postgres(ql)?:\/\/./.test(url))) {
    throw new LockOptionsError('EINVALID_OPTIONS', 'url', url, 'a postgres:// or postgresql:// URL');
  }
  if (clientConfig !== undefined && (typeof clientConfig !== 'object' || clientConfig === null)) {
    throw new LockOptionsError('EINVALID_OPTIONS', 'clientConfig', clientConfig, 'a node-postgres ClientConfig object');
  }
  const schema = identifier('schema', options.schema ?? POSTGRES_DEFAULTS.schema);
  const table = identifier('table', options.table ?? POSTGRES_DEFAULTS.table);
  const createTable = options.createTable ?? POSTGRES_DEFAULTS.createTable;
  if (typeof createTable !== 'boolean') throw new LockOptionsError('EINVALID_OPTIONS', 'createTable', createTable, 'true or false');
  return {
    ...lease,
    clientConfig: { ...(url !== undefined ? { connectionString: url } : {}), ...clientConfig },
    schema,
    table,
    createTable,
    qualifiedTable: `"${schema}"."${table}"`,
    qualifiedSequence: `"${schema}"."${table}_token"`,
  };
}

function identifier(option: string, value: unknown): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
    throw new LockOptionsError('EINVALID_OPTIONS', option, value, 'a lower-case SQL identifier: letters, digits and "_", at most 57 characters, not starting with a digit');
  }
  return value;
}
