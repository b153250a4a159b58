import { LockPathError } from './errors.js';
import { currentHostname, readBootId, readProcessIdentity } from './process-identity.js';
import { randomUuid } from './random.js';

export const RECORD_VERSION = 1;

/** Who holds a lock. Written once, atomically, when the lock is taken. */
export interface LockRecord {
  version: typeof RECORD_VERSION;
  name: string;
  pid: number;
  /** Opaque start-time token of the holder process (see process-identity.ts); null where unknown. */
  processStartTime: string | null;
  bootId: string | null;
  hostname: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** Unique per acquisition: two holders never share one. */
  instanceId: string;
  /** What the holder chose to publish (a port, a health URL, a version). */
  metadata: Record<string, unknown>;
}

export function createRecord(name: string, metadata: Record<string, unknown>): LockRecord {
  return {
    version: RECORD_VERSION,
    name,
    pid: process.pid,
    processStartTime: readProcessIdentity(process.pid)?.startTime ?? null,
    bootId: readBootId(),
    hostname: currentHostname(),
    startedAt: new Date().toISOString(),
    instanceId: randomUuid(),
    metadata,
  };
}

/** Parses a record file's text; anything but a complete record of this version is EBAD_METADATA. */
export function parseRecord(text: string, file: string): LockRecord {
  const bad = (why: string, cause?: unknown) =>
    new LockPathError('EBAD_METADATA', file, `lock record ${file} is unreadable (${why})`, cause ? { cause } : undefined);
  if (text.length === 0) throw bad('empty file');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw bad('not JSON: truncated or garbage', error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('not a JSON object');
  const r = value as Record<string, unknown>;
  if (r.version !== RECORD_VERSION) throw bad(`version ${JSON.stringify(r.version)}, expected ${RECORD_VERSION}`);
  const fields: Array<[string, (v: unknown) => boolean]> = [
    ['name', (v) => typeof v === 'string'],
    ['pid', (v) => Number.isInteger(v) && (v as number) > 0],
    ['processStartTime', (v) => v === null || typeof v === 'string'],
    ['bootId', (v) => v === null || typeof v === 'string'],
    ['hostname', (v) => typeof v === 'string'],
    ['startedAt', (v) => typeof v === 'string'],
    ['instanceId', (v) => typeof v === 'string' && v.length > 0],
    ['metadata', (v) => typeof v === 'object' && v !== null && !Array.isArray(v)],
  ];
  for (const [key, ok] of fields) {
    if (!ok(r[key])) throw bad(`field "${key}" is missing or of the wrong type`);
  }
  return r as unknown as LockRecord;
}
