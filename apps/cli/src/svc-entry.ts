import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The absolute svc entry script (bin/run.js of this package): what daemons and units run. */
export function svcEntry(): string {
  return realpathSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'run.js'));
}
