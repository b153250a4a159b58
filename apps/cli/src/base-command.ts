import { Command, Flags } from '@oclif/core';
import type { LoadedConfig } from './config/load.js';

/** Any error from an @svc/* package or the CLI: branded with Symbol.for('svc.<pkg>.error'). */
export function isSvcError(error: unknown): error is Error & { code: string } {
  if (typeof error !== 'object' || error === null) return false;
  return Object.getOwnPropertySymbols(error).some((s) => /^svc\.[a-z-]+\.error$/.test(s.description ?? ''));
}

/** The data of an error as `--json` shows it: code, message, and its own enumerable fields. */
export function errorJson(error: Error & { code?: unknown }): { error: Record<string, unknown> } {
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === 'cause' || typeof value === 'function') continue;
    data[key] = value;
  }
  return { error: { ...data, code: typeof error.code === 'string' ? error.code : 'EUNKNOWN', message: error.message } };
}

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

  /** The config, loaded and validated once per command. */
  public loadConfig(file?: string): Promise<LoadedConfig> {
    // Loaded on demand: the schema library is the costliest import, and many commands never need it.
    this.#config ??= import('./config/load.js').then(({ loadConfig }) => loadConfig(file ? { file } : {}));
    return this.#config;
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (isSvcError(error)) {
      process.exitCode = 1;
      if (this.jsonEnabled()) {
        this.logJson(errorJson(error));
      } else {
        this.logToStderr(`Error: ${error.message}`);
        const details = (error as { details?: unknown }).details;
        if (Array.isArray(details)) for (const line of details) this.logToStderr(String(line));
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
