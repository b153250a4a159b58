import { SERVICE_NAME } from '@svc/supervisor/definition';
import { ALL } from '../usage.js';

/*
 * Service names from PM2 app names. PM2 takes any string (spaces, "@", non-Latin letters) and the
 * same name twice; svc takes 1–64 letters, digits, ".", "_", "-" starting with a letter or digit,
 * never `all`, once per file. Each name is made valid (accents dropped, every run of other
 * characters one "-"), then made unique with "-2", "-3"… — compared without case, since the
 * service's log and lock files are named after it and macOS and Windows file names ignore case.
 */

/** PM2's own name for an app without one: its script's file name without the extension. */
export function pm2DefaultName(script: string): string {
  const base = script.split(/[\\/]/).pop() ?? script;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** `raw` as a valid service name (not yet unique). */
export function validServiceName(raw: string): string {
  if (SERVICE_NAME.test(raw) && raw !== ALL) return raw;
  let name = raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64)
    .replace(/[-.]+$/, '');
  if (name === '') name = 'app';
  if (name === ALL) name = `${name}-app`;
  return name;
}

/** Hands out unique valid names, in the order asked. */
export class ServiceNames {
  readonly #taken = new Set<string>();

  /** A unique valid name for `raw`, and why it differs from `raw` (null when it does not). */
  claim(raw: string): { name: string; renamed: string | null } {
    const valid = validServiceName(raw);
    let name = valid;
    for (let n = 2; this.#taken.has(name.toLowerCase()); n++) {
      const suffix = `-${n}`;
      name = `${valid.slice(0, 64 - suffix.length)}${suffix}`;
    }
    this.#taken.add(name.toLowerCase());
    if (!SERVICE_NAME.test(name)) throw new Error(`internal: service name ${JSON.stringify(name)} from ${JSON.stringify(raw)} is not valid`);
    let renamed: string | null = null;
    if (name !== raw) {
      renamed =
        valid !== raw
          ? `renamed: a service name is 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit${raw === ALL ? `, and not ${ALL}` : ''}`
          : 'renamed: another app has this name (names are compared without case)';
      if (valid !== raw && name !== valid) renamed += '; and another app has that name';
    }
    return { name, renamed };
  }
}
