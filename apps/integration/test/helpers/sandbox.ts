import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { statusReportSchema, type StatusItem } from '../../../cli/src/status-item.js';
import { EXAMPLE_SERVER, SVC_BIN, assertBuilt } from './paths.js';
import { describe, ownProcessGroup, processesOf, signal } from './processes.js';
import { waitUntil } from './wait.js';
import { toYaml } from './yaml.js';

/*
 * One sandbox per test: a fresh SVC_HOME (locks, sockets, logs, state) and a fresh project
 * directory holding the test's svc.config.yaml. Every `svc` the test runs gets both (cwd and
 * env), in its own process group. After the test, `cleanUpSandboxes` kills whatever is still
 * alive with that SVC_HOME — the daemon, its orphan guard, the services and their children —
 * checks that nothing is left, and removes the directories.
 */

export interface SvcResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SvcProcess {
  readonly child: ChildProcess;
  /** stdout so far, split into complete lines. */
  lines(): string[];
  stderr(): string;
  readonly exited: Promise<SvcResult>;
}

export interface Sandbox {
  /** SVC_HOME of this test. */
  readonly home: string;
  /** The project directory: `svc` runs here, the config file lives here. */
  readonly dir: string;
  /** The environment every `svc` of this test runs with. */
  readonly env: NodeJS.ProcessEnv;
  /** Writes `svc.config.yaml` (as YAML) and returns its path. */
  writeConfig(config: { services: Record<string, unknown> }): string;
  /** Writes a file in the project directory as given. */
  writeFile(name: string, text: string): string;
  /** Another project: `<dir>/<name>/svc.config.yaml` (as YAML); returns its directory. */
  project(name: string, config: { services: Record<string, unknown> }): string;
  /** Runs the built `svc` to its end. */
  svc(args: string[], options?: { env?: Record<string, string>; timeoutMs?: number; cwd?: string }): Promise<SvcResult>;
  /** Runs the built `svc` and fails, with its whole output, unless it exits 0. */
  ok(args: string[], options?: { env?: Record<string, string>; timeoutMs?: number; cwd?: string }): Promise<SvcResult>;
  /** Starts the built `svc` and returns at once (for `logs -f`). */
  spawnSvc(args: string[]): SvcProcess;
  /** `svc status --json [name]`, every item validated against the CLI's exported schema. */
  status(name?: string): Promise<StatusItem[]>;
  /** The one status item of `name`, or undefined when `svc status` does not list it. */
  item(name: string): Promise<StatusItem | undefined>;
}

const sandboxes = new Set<{ home: string; dir: string; children: Set<ChildProcess> }>();

/** The runner's environment without anything of svc, systemd or the example server's. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(SVC_|XDG_RUNTIME_DIR$|XDG_STATE_HOME$|LISTEN_|NOTIFY_SOCKET$|WATCHDOG_|PORT$|HOST$|VERSION$|LOCK$|FORCE_COLOR$)/.test(key)) continue;
    env[key] = value;
  }
  return env;
}

/**
 * `svc`: how svc is run (default: the built CLI of this checkout with this Node); `env`: added to
 * every svc's environment (a PATH with another Node first, for an installed svc).
 */
export function createSandbox(setup: { svc?: string[]; env?: Record<string, string> } = {}): Sandbox {
  assertBuilt();
  const [svcCommand, ...svcArgs] = setup.svc ?? [process.execPath, SVC_BIN];
  // realpath: /tmp may be a symlink, and the CLI names a daemon after the config's real path.
  const home = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'svc-it-home-')));
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'svc-it-project-')));
  const record = { home, dir, children: new Set<ChildProcess>() };
  sandboxes.add(record);
  const env: NodeJS.ProcessEnv = { ...baseEnv(), ...setup.env, SVC_HOME: home, NO_COLOR: '1' };

  const start = (args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) => {
    // Its own process group: cleanup can kill a CLI left running without touching the runner.
    const child = spawn(svcCommand!, [...svcArgs, ...args], {
      cwd: options.cwd ?? dir,
      env: { ...env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    record.children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<SvcResult>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, sig) => {
        record.children.delete(child);
        resolve({ code, signal: sig, stdout, stderr });
      });
    });
    return { child, exited, stdout: () => stdout, stderr: () => stderr };
  };

  const sandbox: Sandbox = {
    home,
    dir,
    env,
    writeConfig(config) {
      return sandbox.writeFile('svc.config.yaml', `${toYaml(config)}\n`);
    },
    writeFile(name, text) {
      const file = path.join(dir, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
    project(name, config) {
      return path.dirname(sandbox.writeFile(path.join(name, 'svc.config.yaml'), `${toYaml(config)}\n`));
    },
    async svc(args, options = {}) {
      const run = start(args, options);
      const timeoutMs = options.timeoutMs ?? 90_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          signal(-run.child.pid!);
          reject(new Error(`svc ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${run.stdout()}\nstderr: ${run.stderr()}`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([run.exited, timedOut]);
      } finally {
        clearTimeout(timer);
      }
    },
    async ok(args, options) {
      const result = await sandbox.svc(args, options);
      if (result.code !== 0) {
        throw new Error(`svc ${args.join(' ')} exited ${result.code ?? result.signal}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
      }
      return result;
    },
    spawnSvc(args) {
      const run = start(args);
      return {
        child: run.child,
        lines: () => run.stdout().split('\n').slice(0, -1),
        stderr: run.stderr,
        exited: run.exited,
      };
    },
    async status(name) {
      const result = await sandbox.ok(['status', '--json', ...(name ? [name] : [])]);
      const parsed = statusReportSchema.safeParse(JSON.parse(result.stdout));
      if (!parsed.success) throw new Error(`svc status --json does not match the exported schema: ${parsed.error.message}\n${result.stdout}`);
      return parsed.data;
    },
    async item(name) {
      return (await sandbox.status(name)).find((i) => i.name === name);
    },
  };
  return sandbox;
}

/** The example server as a config service: absolute paths, its own port, test routes on. */
export function exampleService(port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { env, ...rest } = extra as { env?: Record<string, string> };
  return {
    command: process.execPath,
    args: [EXAMPLE_SERVER],
    env: { PORT: String(port), SVC_EXAMPLE_TEST_ROUTES: '1', ...env },
    readiness: { type: 'notify', timeout: '30s' },
    ...rest,
  };
}

/**
 * Kills every process a test left (each one's process group, then the process itself), checks
 * that none survives, and removes the test's directories. Throws, failing the test, when a
 * process outlives a SIGKILL.
 */
export async function cleanUpSandboxes(): Promise<void> {
  const ownGroup = ownProcessGroup();
  const failures: string[] = [];
  for (const record of [...sandboxes]) {
    sandboxes.delete(record);
    for (const child of record.children) if (child.pid) signal(-child.pid);
    try {
      await waitUntil(
        `no process with SVC_HOME=${record.home}`,
        () => {
          const left = processesOf(record.home);
          for (const p of left) {
            if (p.pgid !== ownGroup) signal(-p.pgid);
            signal(p.pid);
          }
          return left.length === 0;
        },
        { timeoutMs: 15_000, intervalMs: 50, describe: () => describe(processesOf(record.home)) },
      );
    } catch (error) {
      failures.push((error as Error).message);
    }
    rmSync(record.home, { recursive: true, force: true });
    rmSync(record.dir, { recursive: true, force: true });
  }
  if (failures.length > 0) throw new Error(failures.join('\n'));
}

/** One record of a service's event log: the supervisor's own (`type`, `time`, and its fields). */
export interface SvcEvent {
  type: string;
  time: string;
  [field: string]: unknown;
}

/** The last `lines` records of a service's event log, as `svc logs <name> --events --json` gives them. */
export async function eventsOf(sb: Sandbox, service: string, lines = 1000): Promise<SvcEvent[]> {
  const { lines: records } = JSON.parse((await sb.ok(['logs', service, '--events', '-n', String(lines), '--json'])).stdout) as { lines: string[] };
  return records.map((line) => JSON.parse(line) as SvcEvent);
}
