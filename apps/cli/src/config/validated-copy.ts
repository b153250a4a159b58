import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writePrivateFile } from '../private-file.js';
import type { SvcConfig } from './schema.js';

/*
 * A daemon's copy of the config it last validated, so that the next daemon for the same, unchanged
 * file starts its services without loading the parsers and the schema again (about half of a cold
 * `svc start`'s own time): `<state dir>/<daemon id>/validated-config.json`, 0600 in a 0700
 * directory. It holds what the schema returned for those bytes, before any path is resolved or env
 * file read (env files are read at every start). It is used only when all of these match: the
 * SHA-256 of the file's bytes now, the schema it was validated with (a digest of the schema's
 * source, fixed at build time), and a digest of its own contents (a damaged or hand-edited copy is
 * ignored and replaced). JavaScript and TypeScript configs are code: never copied.
 */

declare const __SVC_CONFIG_SCHEMA__: string | undefined;

/** The schema this build validates with; null when running unbuilt sources (no copy is used then). */
export const CONFIG_SCHEMA_ID: string | null = typeof __SVC_CONFIG_SCHEMA__ === 'string' ? __SVC_CONFIG_SCHEMA__ : null;

export const VALIDATED_COPY_FILE = 'validated-config.json';

interface Copy {
  version: 1;
  schema: string;
  digest: string;
  /** SHA-256 of JSON.stringify(config). */
  check: string;
  config: SvcConfig;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The validated config for a file whose bytes have `digest`, from the copy in `dir`; null when
 * there is none, or it is for other bytes, another schema, or damaged.
 */
export function readValidatedCopy(dir: string, digest: string, schema: string | null = CONFIG_SCHEMA_ID): SvcConfig | null {
  if (schema === null) return null;
  let copy: Partial<Copy>;
  try {
    copy = JSON.parse(readFileSync(path.join(dir, VALIDATED_COPY_FILE), 'utf8')) as Partial<Copy>;
  } catch {
    // None yet, unreadable or not JSON: validate the file as if there were none.
    return null;
  }
  if (typeof copy !== 'object' || copy === null || copy.version !== 1 || copy.schema !== schema || copy.digest !== digest) return null;
  const config = copy.config;
  if (typeof config !== 'object' || config === null || typeof config.services !== 'object' || config.services === null) return null;
  if (copy.check !== sha256(JSON.stringify(config))) return null;
  return config;
}

/**
 * Keeps `config` (validated from bytes with `digest`) as the copy in `dir`. Best effort: a copy
 * that cannot be written (disk full, read-only) only means the next start validates again.
 */
export function writeValidatedCopy(dir: string, digest: string, config: SvcConfig, schema: string | null = CONFIG_SCHEMA_ID): boolean {
  if (schema === null) return false;
  const copy: Copy = { version: 1, schema, digest, check: sha256(JSON.stringify(config)), config };
  try {
    writePrivateFile(path.join(dir, VALIDATED_COPY_FILE), JSON.stringify(copy));
    return true;
  } catch {
    return false;
  }
}
