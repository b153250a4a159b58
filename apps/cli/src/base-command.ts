import { Command, Flags } from '@oclif/core';
import type { LoadedConfig } from './config/load.js';
import { errorJson, errorLines, isSvcError } from './error-output.js';

export { errorJson, isSvcError } from './error-output.js';

/**
 * Every command: `--json`, a global `--config`, the config loaded once on demand, and one way of
 * failing: a branded error becomes one line (plus its details) on stderr, or `{ error: { code,
 * message } }` with --json, and exit code 1. Usage errors exit 2 (oclif.exitCodes in package.json).
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;
  static override baseFlags = {
    config: Flags.string({ char: 'c', description: 'config file (default: svc.config.* found from the working directory up)', helpGroup: 'GLOBAL' }),
  };

  #config: Promise<LoadedConfig> | undefined;

  /**
   * The config, loaded and validated once per command (`fresh`: another file, loaded on its own).
   * `keepCopy`: keep its validated copy for the next start (config/validated-copy.ts).
   */
  public loadConfig(file?: string, options: { fresh?: boolean; keepCopy?: boolean } = {}): Promise<LoadedConfig> {
    // Loaded on demand: the parsers are the costliest imports, and many commands never need them.
    const load = () => import('./config/load.js').then(({ loadConfig }) => loadConfig({ ...(file ? { file } : {}), keepCopy: options.keepCopy ?? false }));
    if (options.fresh) return load();
    this.#config ??= load();
    return this.#config;
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (isSvcError(error)) {
      process.exitCode = 1;
      if (this.jsonEnabled()) {
        this.logJson(errorJson(error));
      } else {
        for (const line of errorLines(error)) this.logToStderr(line);
      }
      return undefined;
    }
    if (this.jsonEnabled() && !(error as { oclif?: { exit?: number } }).oclif) {
      process.exitCode = 1;
      this.logJson({ error: { code: (error as { code?: string }).code ?? 'EUNKNOWN', message: error.message } });
      return undefined;
    }
    return super.catch(error);
  }
}
