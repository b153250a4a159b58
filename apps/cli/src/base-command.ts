import path from 'node:path';
import { Command, Flags, type Interfaces } from '@oclif/core';
import type { LoadedConfig } from './config/load.js';
import { errorJson, errorLines, isSvcError } from './error-output.js';
import { CliError } from './errors.js';
import { usageMessage } from './usage.js';

export { errorJson, isSvcError } from './error-output.js';

/**
 * Every command: `--json`, a global `--config`, the config loaded once on demand, and one way of
 * failing: a branded error becomes one line (plus its details) on stderr, or `{ error: { code,
 * message } }` with --json, and exit code 1. Bad usage — whatever the parser refuses (an unknown
 * flag, a missing or extra argument, a value out of range) and every `EUSAGE` a command raises —
 * is the same with code `EUSAGE` and exit code 2, plus a line naming the command's help.
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

  /** The parser's refusals become `EUSAGE` errors (usage.ts): oclif's own carry its whole parse context. */
  protected override async parse<F extends Record<string, unknown>, B extends Record<string, unknown>, A extends Record<string, unknown>>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    try {
      return await super.parse(options, argv);
    } catch (error) {
      // It did parse (and refused): oclif would otherwise warn that the command never parsed.
      (this as unknown as { parsed: boolean }).parsed = true;
      throw new CliError('EUSAGE', usageMessage(error as Error));
    }
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (isSvcError(error) && error.code === 'EUSAGE') {
      process.exitCode = 2;
      if (this.jsonEnabled()) this.logJson(errorJson(error));
      else for (const line of [...errorLines(error), `See: ${this.config.bin} ${this.id?.replaceAll(':', ' ') ?? ''} --help`.replace(/ {2,}/g, ' ')]) this.logToStderr(line);
      return undefined;
    }
    if (isSvcError(error)) {
      process.exitCode = 1;
      if (this.jsonEnabled()) {
        this.logJson(errorJson(error));
      } else {
        for (const line of errorLines(error)) this.logToStderr(line);
      }
      return undefined;
    }
    const system = error as Error & { code?: unknown; syscall?: unknown; path?: unknown };
    if (!this.jsonEnabled() && typeof system.code === 'string' && typeof system.syscall === 'string') {
      // An operating-system refusal (a home that is not writable, a full disk): said as svc says
      // its own errors, with the file it was about, not as a stack.
      process.exitCode = 1;
      for (const line of systemErrorLines(system as Error & { code: string; syscall: string; path?: unknown })) this.logToStderr(line);
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

/** `Error: cannot mkdir /x/state: permission denied (EACCES)`, and where svc keeps its files when that is the one. */
function systemErrorLines(error: Error & { code: string; syscall: string; path?: unknown }): string[] {
  const what = /^[A-Z0-9_]+: ([^,]+)/.exec(error.message)?.[1] ?? error.message;
  const target = typeof error.path === 'string' ? ` ${error.path}` : '';
  const lines = [`Error: cannot ${error.syscall}${target}: ${what} (${error.code})`];
  const home = process.env.SVC_HOME;
  if (home && typeof error.path === 'string' && path.resolve(error.path).startsWith(path.resolve(home))) {
    lines.push(`svc keeps its sockets, locks, logs and state in SVC_HOME (${home}): make it writable for this user, or point SVC_HOME at a directory of its own`);
  }
  return lines;
}
