import { statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { definitionProblems, SERVICE_NAME, type ServiceDefinition } from '@svc/supervisor/definition';
import { CliError } from './errors.js';
import { ALL } from './usage.js';

/*
 * An ad-hoc service from the command line: `svc start <name> -- <command> [args…]` or, as PM2
 * users write it, `svc start app.js [--name api] [-- args…]`, with `--ready`, `--instances` and
 * `--listen`. The definition is checked here by the supervisor's own rules (definitionProblems), so
 * a bad value is a usage error naming the flag, before any daemon is asked.
 */

/** What `--ready` accepts, in words (the help and the error say the same). */
export const READY_FORMS = 'none, notify, tcp:PORT, tcp:HOST:PORT or an http(s):// URL';

/** `--ready` as a definition's `readiness`. */
export function parseReady(value: string): NonNullable<ServiceDefinition['readiness']> {
  if (value === 'none' || value === 'notify') return { type: value };
  if (/^https?:\/\//i.test(value)) return { type: 'http', url: value };
  const tcp = /^tcp:(?:(\[[^\]]+\]|[^:]+):)?(\d+)$/.exec(value);
  if (tcp) {
    const host = tcp[1]?.replace(/^\[|\]$/g, '');
    return { type: 'tcp', port: Number(tcp[2]), ...(host ? { host } : {}) };
  }
  throw new CliError('EUSAGE', `--ready must be ${READY_FORMS} (got ${JSON.stringify(value)})`);
}

/** `--listen PORT` or `--listen HOST:PORT`. */
export function parseListen(value: string): NonNullable<ServiceDefinition['listen']> {
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d+)$/.exec(value);
  if (!match) throw new CliError('EUSAGE', `--listen must be PORT or HOST:PORT (got ${JSON.stringify(value)})`);
  const host = match[1]?.replace(/^\[|\]$/g, '');
  return { port: Number(match[2]), ...(host ? { host } : {}) };
}

/** Interpreters by extension; a file with none listed runs by itself (it needs its execute bit). */
export const INTERPRETERS: Record<string, string> = {
  '.js': process.execPath,
  '.mjs': process.execPath,
  '.cjs': process.execPath,
  '.ts': process.execPath,
  '.mts': process.execPath,
  '.cts': process.execPath,
  '.py': 'python3',
  '.sh': 'bash',
  '.rb': 'ruby',
  '.php': 'php',
  '.pl': 'perl',
};

/** The interpreters in words, for the help: `node for .js .mjs …, python3 for .py, …`. */
export function interpretersInWords(): string {
  const byInterpreter = new Map<string, string[]>();
  for (const [ext, interpreter] of Object.entries(INTERPRETERS)) {
    const name = interpreter === process.execPath ? 'node' : interpreter;
    byInterpreter.set(name, [...(byInterpreter.get(name) ?? []), ext]);
  }
  return [...byInterpreter].map(([name, exts]) => `${name} for ${exts.join(' ')}`).join(', ');
}

/**
 * Whether `svc start <arg>` names a script rather than a service: a file exists there and its
 * name has a path separator or an extension (a config service of that name is looked up first).
 */
export function isScript(arg: string): boolean {
  if (!arg.includes('/') && extname(arg) === '') return false;
  try {
    return statSync(arg).isFile();
  } catch {
    return false;
  }
}

/** The service name PM2 would give a script: its file name without the extension. */
export function scriptName(script: string): string {
  return basename(script, extname(script));
}

/** The command that runs `script` (made absolute: the daemon runs it from its own cwd's view too). */
export function scriptCommand(script: string, args: string[]): { command: string; args: string[] } {
  const path = resolve(script);
  const interpreter = INTERPRETERS[extname(path).toLowerCase()];
  return interpreter ? { command: interpreter, args: [path, ...args] } : { command: path, args };
}

export function checkAdhocName(name: string, how: string): void {
  if (!SERVICE_NAME.test(name)) throw new CliError('EUSAGE', `invalid service name ${JSON.stringify(name)}: use 1–64 letters, digits, ".", "_" or "-"${how}`);
  if (name === ALL) throw new CliError('EUSAGE', `a service cannot be named ${ALL}: svc start ${ALL} means --all`);
}

/** Which flag set an option of the definition, for a problem found in it. */
const FLAG_OF: Array<[RegExp, string]> = [
  [/^readiness\b/, '--ready'],
  [/^instances\b/, '--instances'],
  [/^listen\b/, '--listen'],
];

/** The ad-hoc definition, checked by the supervisor's rules: the first problem is a usage error naming its flag. */
export function adhocDefinition(
  name: string,
  run: { command: string; args: string[] },
  flags: { ready?: string; instances?: number; listen?: string; watch?: boolean },
): ServiceDefinition {
  const definition: ServiceDefinition = { command: run.command, args: run.args, cwd: process.cwd() };
  if (flags.ready !== undefined) definition.readiness = parseReady(flags.ready);
  if (flags.instances !== undefined) definition.instances = flags.instances;
  if (flags.listen !== undefined) definition.listen = parseListen(flags.listen);
  if (flags.watch) definition.watch = true;
  const [problem] = definitionProblems(name, definition);
  if (problem) {
    const flag = FLAG_OF.find(([pattern]) => pattern.test(problem.option))?.[1];
    const shown = problem.value === undefined ? 'nothing' : JSON.stringify(problem.value);
    throw new CliError('EUSAGE', `${flag ? `${flag}: ` : ''}${problem.option} must be ${problem.expected} (got ${shown})`);
  }
  return definition;
}
