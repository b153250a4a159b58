import { existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_NAMES } from '../config/find.js';
import { CliError } from '../errors.js';

/*
 * Writing the imported config: never over an existing file without --force, and never where
 * another svc.config.* beside it would be read first (svc would then ignore the new file). The
 * file gets the ecosystem file's permission bits: it holds the same env values, no more exposed
 * than they were.
 */

/** Throws EIMPORT_EXISTS when `output` cannot be written as asked; called before anything is read or run. */
export function checkTarget(output: string, force: boolean): void {
  if (existsSync(output) && !force) {
    throw new CliError('EIMPORT_EXISTS', `${output} already exists`, { details: ['Use --force to overwrite it, --dry-run to print the config instead, or --config <file> to write another file.'] });
  }
  const name = path.basename(output);
  const rank = CONFIG_NAMES.indexOf(name);
  if (rank === -1) return;
  const first = CONFIG_NAMES.slice(0, rank).find((other) => existsSync(path.join(path.dirname(output), other)));
  if (first) {
    throw new CliError('EIMPORT_EXISTS', `${path.join(path.dirname(output), first)} is there too, and svc reads it before ${name}`, {
      details: ['Remove it, or write the imported config elsewhere with --config <file>.'],
    });
  }
}

/** Writes `text` to `output`: a new file (refused if one appeared meanwhile), or with `force` in place of it, whole or not at all. */
export function writeConfigFile(output: string, text: string, options: { force: boolean; modeFrom: string }): void {
  const mode = (statSync(options.modeFrom).mode & 0o666) | 0o600;
  if (!options.force) {
    try {
      writeFileSync(output, text, { flag: 'wx', mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError('EIMPORT_EXISTS', `${output} already exists`, { cause: error, details: ['Use --force to overwrite it.'] });
      // A partial file (disk full) is not left behind to be taken for a config.
      if (existsSync(output)) rmSync(output, { force: true });
      throw error;
    }
    return;
  }
  const temp = `${output}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text, { mode });
    renameSync(temp, output);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
