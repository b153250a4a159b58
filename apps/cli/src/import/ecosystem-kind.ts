import path from 'node:path';

/*
 * Which kind of ecosystem file a name is, as PM2 tells them apart: `.js`, `.cjs`, `.mjs` are code
 * (run to read them), `.json` is JSON, `.yaml`/`.yml` YAML. PM2 evaluates a `.json` file as a
 * JavaScript expression (so comments and unquoted keys pass there); svc reads it as JSON only and
 * says to rename it `.js` to have it run as code: a data file is never run.
 */

export type EcosystemKind = 'code' | 'json' | 'yaml';

/** The file names `svc import pm2` takes, in words (the help and the errors say the same). */
export const ECOSYSTEM_FORMS = '.js, .cjs, .mjs (run as code), .json or .yaml/.yml';

export function ecosystemKind(file: string): EcosystemKind | null {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.js' || ext === '.cjs' || ext === '.mjs') return 'code';
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return null;
}
