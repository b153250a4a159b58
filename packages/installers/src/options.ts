import { homedir, userInfo } from 'node:os';
import path from 'node:path';
import { DEFAULTS } from './defaults.js';
import { InstallerInputError } from './errors.js';
import { execFileRunner } from './runner.js';
import { UNIT_NAME_MAX_LENGTH, systemdEscape } from './systemd-escape.js';
import { checkText } from './text-check.js';
import type { InstallerOptions, ResolvedInstallerOptions, ServicePlatform } from './types.js';
import { WINDOWS_SERVICE_NAME_MAX_LENGTH, windowsEscape } from './windows-quote.js';

// Names systemd accepts in Environment= (VALID_BASH_ENV_NAME_CHARS); also safe for launchd and Windows.
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// A login name as useradd/systemd accept it, or a numeric uid.
const USER_NAME = /^(?:[A-Za-z_][A-Za-z0-9_.-]{0,30}\$?|\d+)$/;
// A file name on macOS (label + ".plist") may not exceed 255 bytes.
const LAUNCHD_FILE_MAX_BYTES = 255;

/** Normalises and validates every option once; throws a coded InstallerInputError before anything happens. */
export function resolveOptions(options: InstallerOptions): ResolvedInstallerOptions {
  if (typeof options !== 'object' || options === null) invalidOption('options', options, 'an object');
  const platform = resolvePlatform(options.platform);
  const system = options.system ?? DEFAULTS.system;
  if (typeof system !== 'boolean') invalidOption('system', system, 'true or false');
  const scope = system || platform === 'windows' ? 'system' : 'user';

  const name = requireString('name', options.name);
  if (name === '') {
    throw new InstallerInputError('EINVALID_NAME', 'name is empty; give the service name from the config file.', { field: 'name', value: name });
  }
  const serviceName = serviceNameFor(platform, name);

  const description = options.description === undefined ? `svc service ${name}` : requireString('description', options.description).trim();

  const nodePath = requirePath(platform, 'nodePath', options.nodePath);
  if (platform !== 'windows' && path.posix.normalize(nodePath) !== nodePath) {
    // systemd refuses an ExecStart= binary path that is not normalised ("foo/../bar", "//", trailing "/").
    throw new InstallerInputError(
      'EINVALID_PATH',
      `nodePath "${nodePath}" is not a normalised path (expected "${path.posix.normalize(nodePath)}"); pass path.resolve(nodePath).`,
      { field: 'nodePath', value: nodePath },
    );
  }
  const svcEntry = requirePath(platform, 'svcEntry', options.svcEntry);
  const configPath = options.configPath === undefined ? undefined : requirePath(platform, 'configPath', options.configPath);
  const workingDirectory = requirePath(platform, 'workingDirectory', options.workingDirectory);
  const logDirGiven = options.logDir === undefined ? undefined : requirePath(platform, 'logDir', options.logDir);

  const env = resolveEnv(options.env ?? {});

  const stopTimeoutMs = options.stopTimeoutMs;
  if (typeof stopTimeoutMs !== 'number' || !Number.isFinite(stopTimeoutMs) || stopTimeoutMs < 0) {
    invalidOption('stopTimeoutMs', stopTimeoutMs, 'a finite number of milliseconds >= 0');
  }

  const homeDir = options.homeDir === undefined ? homedir() : requirePath(platform, 'homeDir', options.homeDir);
  const user = resolveUser(options.user);

  if (user !== undefined && !USER_NAME.test(user)) {
    throw new InstallerInputError('EINVALID_USER', `user "${user}" is not a valid account name (letters, digits, "_", ".", "-", or a numeric uid).`, {
      field: 'user',
      value: user,
    });
  }

  const unitDir = options.unitDir === undefined ? defaultUnitDir(platform, scope, homeDir) : requirePath(platform, 'unitDir', options.unitDir);
  const lingerDir = options.lingerDir === undefined ? DEFAULTS.lingerDir : requireHostPath('lingerDir', options.lingerDir);
  const logDir = logDirGiven ?? defaultLogDir(platform, scope, homeDir);

  const uid = options.uid ?? process.getuid?.() ?? 0;
  if (!Number.isInteger(uid) || uid < 0) invalidOption('uid', uid, 'a non-negative integer');

  let windowsWrapperPath: string | undefined;
  if (platform === 'windows') {
    if (options.windowsWrapperPath === undefined) {
      invalidOption('windowsWrapperPath', undefined, 'the absolute path of the WinSW executable (https://github.com/winsw/winsw)');
    }
    windowsWrapperPath = requirePath(platform, 'windowsWrapperPath', options.windowsWrapperPath);
  }

  const runner = options.runner ?? execFileRunner;
  if (typeof runner !== 'function') invalidOption('runner', runner, 'a function (file, args) => Promise<CommandResult>');

  // `svc run -x` would read a name starting with "-" as a flag; after "--" it is a plain argument.
  const config = configPath === undefined ? [] : ['--config', configPath];
  const runArgs = name.startsWith('-') ? [...config, '--', name] : [name, ...config];
  const args = options.args === undefined ? ['run', ...runArgs] : resolveArgs(options.args);
  const nodeArgs = options.nodeArgs === undefined ? [] : resolveNodeArgs(options.nodeArgs);
  const argv = [nodePath, ...nodeArgs, svcEntry, ...args];

  const resolved: ResolvedInstallerOptions = {
    platform,
    scope,
    systemRequested: system,
    name,
    description,
    nodePath,
    svcEntry,
    configPath,
    workingDirectory,
    env,
    stopTimeoutMs,
    user: user ?? currentUser(),
    logDir,
    unitDir,
    homeDir,
    lingerDir,
    uid,
    windowsWrapperPath,
    runner,
    serviceName,
    argv,
  };
  checkRepresentable(resolved);
  return resolved;
}

function resolvePlatform(platform: ServicePlatform | undefined): ServicePlatform {
  if (platform === 'systemd' || platform === 'launchd' || platform === 'windows') return platform;
  if (platform !== undefined) invalidOption('platform', platform, '"systemd", "launchd" or "windows"');
  if (process.platform === 'linux') return 'systemd';
  if (process.platform === 'darwin') return 'launchd';
  if (process.platform === 'win32') return 'windows';
  return invalidOption('platform', process.platform, 'a platform with systemd, launchd or Windows services; pass `platform` explicitly');
}

function serviceNameFor(platform: ServicePlatform, name: string): string {
  if (platform === 'windows') {
    const id = `${DEFAULTS.servicePrefix}${windowsEscape(name)}`;
    if (id.length > WINDOWS_SERVICE_NAME_MAX_LENGTH) nameTooLong(name, id, WINDOWS_SERVICE_NAME_MAX_LENGTH);
    return id;
  }
  const base = `${DEFAULTS.servicePrefix}${systemdEscape(name)}`;
  if (platform === 'launchd') {
    if (Buffer.byteLength(`${base}.plist`) > LAUNCHD_FILE_MAX_BYTES) nameTooLong(name, `${base}.plist`, LAUNCHD_FILE_MAX_BYTES);
    return base;
  }
  const unit = `${base}.service`;
  if (unit.length > UNIT_NAME_MAX_LENGTH) nameTooLong(name, unit, UNIT_NAME_MAX_LENGTH);
  return unit;
}

function nameTooLong(name: string, escaped: string, max: number): never {
  throw new InstallerInputError(
    'EINVALID_NAME',
    `name "${name}" is too long: the escaped service name "${escaped}" has ${escaped.length} characters, at most ${max} are allowed. Use a shorter name.`,
    { field: 'name', value: name, escaped, max },
  );
}

/** Node's own options only: each one word starting with `-`, so none can pass for the entry script. */
function resolveNodeArgs(nodeArgs: unknown): string[] {
  if (!Array.isArray(nodeArgs)) invalidOption('nodeArgs', nodeArgs, 'an array of node options');
  return (nodeArgs as unknown[]).map((arg, i) => {
    const value = requireString(`nodeArgs[${i}]`, arg);
    if (!/^--?[A-Za-z0-9][A-Za-z0-9_-]*(=[^\s]*)?$/.test(value)) invalidOption(`nodeArgs[${i}]`, value, 'a node option such as --max-semi-space-size=8 (one word starting with -)');
    return value;
  });
}

function resolveArgs(args: unknown): string[] {
  if (!Array.isArray(args) || args.length === 0) invalidOption('args', args, 'a non-empty array of strings');
  return (args as unknown[]).map((arg, i) => requireString(`args[${i}]`, arg));
}

function resolveEnv(env: Record<string, string>): Array<[string, string]> {
  if (typeof env !== 'object' || env === null || Array.isArray(env)) invalidOption('env', env, 'an object of strings');
  const entries: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(env)) {
    if (!ENV_NAME.test(key)) {
      throw new InstallerInputError(
        'EINVALID_ENV_NAME',
        `environment variable name "${key}" is not valid: use letters, digits and "_", not starting with a digit.`,
        { field: `env.${key}`, value: key },
      );
    }
    entries.push([key, requireString(`env.${key}`, value)]);
  }
  // Code-unit order, not localeCompare: the file must not depend on the machine's locale.
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function resolveUser(user: string | undefined): string | undefined {
  if (user === undefined) return undefined;
  return requireString('user', user);
}

function currentUser(): string {
  // Under sudo, the account that asked for the service is SUDO_USER, not root.
  return process.env.SUDO_USER || userInfo().username;
}

function defaultUnitDir(platform: ServicePlatform, scope: 'user' | 'system', homeDir: string): string {
  if (platform === 'systemd') {
    if (scope === 'system') return DEFAULTS.systemUnitDir;
    const xdg = process.env.XDG_CONFIG_HOME;
    const configHome = xdg && path.isAbsolute(xdg) ? xdg : path.join(homeDir, '.config');
    return path.join(configHome, 'systemd', 'user');
  }
  if (platform === 'launchd') return scope === 'system' ? DEFAULTS.launchDaemonDir : path.join(homeDir, 'Library', 'LaunchAgents');
  return path.win32.join(process.env.ProgramData ?? 'C:\\ProgramData', 'svc', 'services');
}

function defaultLogDir(platform: ServicePlatform, scope: 'user' | 'system', homeDir: string): string | undefined {
  // launchd throws output away unless told where to put it; systemd has the journal, WinSW its own files.
  if (platform !== 'launchd') return undefined;
  return scope === 'system' ? DEFAULTS.launchDaemonLogDir : path.join(homeDir, 'Library', 'Logs', 'svc');
}

/**
 * Values that no quoting can carry into the target format unchanged:
 * - systemd settings without quoting (WorkingDirectory=, StandardOutput=append:) drop trailing whitespace;
 * - WinSW expands %NAME% in the executable, arguments, paths and env values, and has no escape for `%`.
 */
function checkRepresentable(o: ResolvedInstallerOptions): void {
  if (o.platform === 'systemd') {
    for (const [field, value] of [
      ['workingDirectory', o.workingDirectory],
      ['logDir', o.logDir],
    ] as const) {
      if (value !== undefined && /\s$/.test(value)) {
        throw new InstallerInputError('EUNREPRESENTABLE', `${field} "${value}" ends in whitespace, which systemd strips from ${field === 'logDir' ? 'StandardOutput=' : 'WorkingDirectory='}. Rename the directory.`, {
          field,
          value,
        });
      }
    }
  }
  if (o.platform === 'windows') {
    const fields: Array<[string, string | undefined]> = [
      ['name', o.name],
      ['nodePath', o.nodePath],
      ['svcEntry', o.svcEntry],
      ['configPath', o.configPath],
      ['workingDirectory', o.workingDirectory],
      ['logDir', o.logDir],
      ...o.env.map(([key, value]): [string, string] => [`env.${key}`, value]),
    ];
    for (const [field, value] of fields) {
      if (value?.includes('%')) {
        throw new InstallerInputError('EUNREPRESENTABLE', `${field} "${value}" contains "%", which WinSW expands as an environment variable and cannot escape. Remove the "%".`, {
          field,
          value,
        });
      }
    }
  }
}

function requireString(field: string, value: unknown): string {
  if (typeof value !== 'string') invalidOption(field, value, 'a string');
  return checkText(field, value);
}

function requirePath(platform: ServicePlatform, field: string, value: unknown): string {
  const text = requireString(field, value);
  const absolute = platform === 'windows' ? path.win32.isAbsolute(text) : path.posix.isAbsolute(text);
  if (!absolute) {
    throw new InstallerInputError('EINVALID_PATH', `${field} "${text}" is not an absolute path; the service manager starts from an unknown directory. Pass path.resolve(${field}).`, {
      field,
      value: text,
    });
  }
  return text;
}

/** A path this process reads or writes itself. */
function requireHostPath(field: string, value: unknown): string {
  const text = requireString(field, value);
  if (!path.isAbsolute(text)) {
    throw new InstallerInputError('EINVALID_PATH', `${field} "${text}" is not an absolute path. Pass path.resolve(${field}).`, { field, value: text });
  }
  return text;
}

function invalidOption(field: string, value: unknown, expected: string): never {
  throw new InstallerInputError('EINVALID_OPTION', `${field} is ${describe(value)}; expected ${expected}.`, { field, value: describe(value) });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined || value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}
