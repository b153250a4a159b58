import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writePrivateFile } from '../private-file.js';
import type { SvcConfig } from './validate.js';

/*
 * A copy of a config as it was validated, so that the next `svc start` of the same, unchanged
 * file starts without loading the file's parser and the rules again (the parser alone is most of a
 * cold start's own work): `<state dir>/projects/<project id>/validated-config.json`, 0600 in a
 * 0700 directory. It holds the services as validated, before any path is resolved or env file read
 * (env files are read at every start). It is used only when all of these match: the SHA-256 of the
 * file's bytes now, the rules it was validated by (a digest of the validation's sources and of
 * @svc/supervisor's definition rules, fixed at build time), and a digest of its own contents (a
 * damaged or hand-edited copy is ignored and replaced). JavaScript and TypeScript configs are
 * code: never copied.
 */

declare const __SVC_CONFIG_RULES__: string | undefined;

/** The rules this build validates by; null when running unbuilt sources (no copy is used then). */
export const CONFIG_RULES_ID: string | null = typeof __SVC_CONFIG_RULES__ === 'string' ? __SVC_CONFIG_RULES__ : null;

export const VALIDATED_COPY_FILE = 'validated-config.json';

interface Copy {
  version: 2;
  rules: string;
  digest: string;
  /** SHA-256 of JSON.stringify(config). */
  check: string;
  config: SvcConfig;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The directory of a project's copy. */
export function copyDir(stateDir: string, projectId: string): string {
  return path.join(stateDir, 'projects', projectId);
}

/**
 * The validated config for a file whose bytes have `digest`, from the copy in `dir`; null when
 * there is none, or it is for other bytes, other rules, or damaged.
 */
export function readValidatedCopy(dir: string, digest: string, rules: string | null = CONFIG_RULES_ID): SvcConfig | null {
  if (rules === null) return null;
  let copy: Partial<Copy>;
  try {
    copy = JSON.parse(readFileSync(path.join(dir, VALIDATED_COPY_FILE), 'utf8')) as Partial<Copy>;
  } catch {
    // None yet, unreadable or not JSON: validate the file as if there were none.
    return null;
  }
  if (typeof copy !== 'object' || copy === null || copy.version !== 2 || copy.rules !== rules || copy.digest !== digest) return null;
  const config = copy.config;
  if (typeof config !== 'object' || config === null || typeof config.services !== 'object' || config.services === null) return null;
  if (copy.check !== sha256(JSON.stringify(config))) return null;
  return config;
}

/**
 * Keeps `config` (validated from bytes with `digest`) as the copy in `dir`. Best effort: a copy
 * that cannot be written (disk full, read-only) only means the next start validates again.
 */
export function writeValidatedCopy(dir: string, digest: string, config: SvcConfig, rules: string | null = CONFIG_RULES_ID): boolean {
  if (rules === null) return false;
  const copy: Copy = { version: 2, rules, digest, check: sha256(JSON.stringify(config)), config };
  try {
    writePrivateFile(path.join(dir, VALIDATED_COPY_FILE), JSON.stringify(copy));
    return true;
  } catch {
    // Not written: the next start validates the file again, which is all a missing copy costs.
    return false;
  }
}
