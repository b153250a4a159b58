import { CliError } from '../errors.js';
import { MAX_APPS } from './import-limits.js';
import { isNonData } from './non-data.js';
import { PM2_FILE_GAPS } from './pm2-keys.js';

/*
 * The apps of an ecosystem file, found where PM2 finds them: under `apps` (or its older name
 * `pm2`), or the file is one app, or a list of apps. Its other top-level keys (`deploy`, `static`)
 * are reported; a file with no app, or more than MAX_APPS, is refused.
 */

export interface FileApps {
  apps: unknown[];
  /** Top-level keys besides the apps, each with why it is not mapped. */
  unmapped: Array<{ key: string; reason: string }>;
}

export function ecosystemApps(value: unknown, file: string): FileApps {
  if (isNonData(value)) throw new CliError('EIMPORT_READ', `${file} exports ${value.kind}, not an object: PM2 reads an object such as { apps: […] }`);
  if (typeof value !== 'object' || value === null) throw new CliError('EIMPORT_READ', `${file} holds no apps: expected { apps: […] }, one app or a list of apps (got ${value === null ? 'null' : typeof value})`);
  const unmapped: FileApps['unmapped'] = [];
  let apps: unknown;
  if (Array.isArray(value)) apps = value;
  else {
    const top = value as Record<string, unknown>;
    const key = Object.hasOwn(top, 'apps') ? 'apps' : Object.hasOwn(top, 'pm2') ? 'pm2' : null;
    if (key === null) apps = [top];
    else {
      apps = top[key];
      for (const other of Object.keys(top)) {
        if (other === key) continue;
        unmapped.push({ key: other, reason: PM2_FILE_GAPS[other] ?? 'not a key of an ecosystem file: nothing to map' });
      }
    }
    if (isNonData(apps)) throw new CliError('EIMPORT_READ', `${file}: ${key} is ${apps.kind}, not a list of apps`);
    if (typeof apps === 'object' && apps !== null && !Array.isArray(apps)) apps = [apps];
  }
  if (!Array.isArray(apps)) throw new CliError('EIMPORT_READ', `${file}: apps is not a list of apps`);
  if (apps.length === 0) throw new CliError('EIMPORT_READ', `${file} has no apps`);
  if (apps.length > MAX_APPS) throw new CliError('EIMPORT_READ', `${file} has ${apps.length} apps: svc imports up to ${MAX_APPS} at once`);
  return { apps, unmapped };
}
