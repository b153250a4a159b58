import { readFileSync, statSync, type Stats } from 'node:fs';
import { CliError } from '../errors.js';
import { runEcosystemCode } from './ecosystem-code.js';
import { ECOSYSTEM_FORMS, ecosystemKind } from './ecosystem-kind.js';
import { MAX_FILE_BYTES } from './import-limits.js';

/*
 * Reading a PM2 ecosystem file as PM2 reads it, by its kind (ecosystem-kind.ts): code is run in a
 * child process (ecosystem-code.ts), JSON and YAML are parsed, within MAX_FILE_BYTES.
 */

/** What the file holds, as data; `executed`: it was run to get it. */
export interface EcosystemContent {
  value: unknown;
  executed: boolean;
}

/**
 * Reads (or, for code, runs) the ecosystem file `file`, which `ecosystemKind` knows. `beforeRun`
 * is called before a JavaScript file is run, to say so. Throws EIMPORT_READ for a missing,
 * unreadable, too large or unparsable file, and for code that throws or does not finish.
 */
export async function readEcosystem(file: string, options: { timeoutMs: number; beforeRun: (file: string) => void }): Promise<EcosystemContent> {
  const kind = ecosystemKind(file);
  if (kind === null) throw new CliError('EUSAGE', `${file} is not an ecosystem file svc can read: expected ${ECOSYSTEM_FORMS}`);
  let stat: Stats;
  try {
    stat = statSync(file);
  } catch (error) {
    throw new CliError('EIMPORT_READ', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (!stat.isFile()) throw new CliError('EIMPORT_READ', `${file} is not a file`);
  const size = stat.size;
  if (size > MAX_FILE_BYTES) {
    throw new CliError('EIMPORT_READ', `${file} has ${size} bytes: svc imports ecosystem files of up to ${MAX_FILE_BYTES} bytes (${MAX_FILE_BYTES / 1024 / 1024} MiB)`);
  }
  if (kind === 'code') {
    options.beforeRun(file);
    return { value: await runEcosystemCode(file, options.timeoutMs), executed: true };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError('EIMPORT_READ', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    if (kind === 'json') return { value: JSON.parse(text) as unknown, executed: false };
    const { parse } = await import('yaml');
    return { value: parse(text, { prettyErrors: true }) as unknown, executed: false };
  } catch (error) {
    const first = (error as Error).message.split('\n')[0];
    const hint = kind === 'json' ? ': PM2 evaluates a .json file as JavaScript; rename it .js to have svc run it as code' : '';
    throw new CliError('EIMPORT_READ', `${file} is not valid ${kind.toUpperCase()} (${first})${hint}`, { cause: error });
  }
}
