import path from 'node:path';
import { isNonData, type NonData } from './non-data.js';
import { PM2_ALIASES, PM2_GAPS } from './pm2-keys.js';
import { isNode, runnerFor } from './pm2-runner.js';
import { durationText, pm2Memory, pm2Millis, pm2Number, pm2Uptime, shownValue, sizeText, splitArgs } from './pm2-values.js';
import { ServiceDraft } from './service-draft.js';
import { pm2DefaultName } from './service-names.js';
import { mapCronRestart, mapWatch } from './pm2-watch.js';

/*
 * One PM2 app as one svc service, onto the keys svc has today (docs/config.md): what maps is set
 * on a ServiceDraft with the PM2 keys it came from; every other key is reported with the reason
 * (pm2-keys.ts). Values are read as PM2 reads them (pm2-values.ts). The table of what maps to what
 * is docs/guides/migrating-from-pm2.md's "svc import pm2" section.
 */

export interface AppContext {
  /** The ecosystem file's directory: PM2 resolves an app's relative cwd from where it is started, which is there. */
  fileDir: string;
  /** The directory of the svc config being written: a service's `cwd` is relative to it. */
  configDir: string;
  /** `--env <name>`: the app's `env_<name>` is merged over its `env`, as `pm2 start --env <name>` does. */
  profile: string | null;
  /** This machine's CPUs, for `instances: 'max'` (or 0, or a negative number). */
  cpus: number;
}

export interface MappedApp {
  draft: ServiceDraft;
  /** The name PM2 gives the app (its `name`, else its script's file name); null when it has neither. */
  pm2Name: string | null;
  /** Why the app is not imported at all (no script), or null. */
  skipped: string | null;
}

/** svc takes at most this many instances (@svc/supervisor's rule); `instances: 'max'` is capped to it. */
const MAX_INSTANCES = 64;

export const CLUSTER_HOST = '0.0.0.0';

interface Taken {
  written: string;
  value: unknown;
}

/** The app's keys by PM2's canonical names, each taken once; what is left at the end is reported. */
class AppKeys {
  readonly #keys = new Map<string, Taken>();

  constructor(
    app: Record<string, unknown>,
    private readonly draft: ServiceDraft,
  ) {
    for (const written of Object.keys(app)) {
      const key = PM2_ALIASES[written] ?? written;
      const first = this.#keys.get(key);
      if (first) draft.skip(written, `also given as ${first.written}: PM2 takes one of them`);
      else this.#keys.set(key, { written, value: app[written] });
    }
  }

  /** Takes the key; a non-data value (a function…) is reported and taken as absent. */
  take(key: string): Taken | undefined {
    const entry = this.#keys.get(key);
    if (!entry) return undefined;
    this.#keys.delete(key);
    if (isNonData(entry.value)) {
      this.draft.skip(entry.written, nonDataReason(entry.value));
      return undefined;
    }
    return entry;
  }

  /** The keys left (their canonical names). */
  left(): string[] {
    return [...this.#keys.keys()];
  }
}

function nonDataReason(value: NonData): string {
  return `${value.kind}: only data can be imported (svc config files hold no code)`;
}

/** An argument list as PM2 takes one: an array of words or one string (split as PM2 splits it); null when neither. */
function argList(value: unknown): string[] | null {
  if (typeof value === 'string') return splitArgs(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) return value.map(String);
  return null;
}

/** An integer port from a `port` key or an env value, or null. */
function portOf(value: unknown): number | null {
  const port = pm2Number(value);
  return port !== null && Number.isInteger(port) && port >= 1 && port <= 65535 ? port : null;
}

/** Maps one PM2 app. A reason may say `{name}`: the service's name, once it has one. */
export function mapApp(app: Record<string, unknown>, context: AppContext): MappedApp {
  const draft = new ServiceDraft();
  const keys = new AppKeys(app, draft);

  const script = keys.take('script');
  const name = keys.take('name');
  const scriptText = typeof script?.value === 'string' ? script.value.trim() : '';
  let pm2Name = typeof name?.value === 'string' || typeof name?.value === 'number' ? String(name.value) : null;
  if (name && pm2Name === null) draft.skip(name.written, `expected a string (got ${shownValue(name.value)})`);
  if (scriptText === '') {
    if (script) draft.skip(script.written, `expected a string (got ${shownValue(script.value)})`);
    return { draft, pm2Name: pm2Name || null, skipped: 'no script: PM2 refuses such an app too; not imported' };
  }
  if (pm2Name === null || pm2Name === '') pm2Name = scriptText.includes(' ') ? scriptText : pm2DefaultName(scriptText);

  // cwd: PM2 resolves it from where `pm2 start` ran (the file's directory); svc from the config's.
  const cwd = keys.take('cwd');
  let appDir = context.fileDir;
  if (cwd && typeof cwd.value === 'string' && cwd.value !== '') {
    appDir = path.resolve(context.fileDir, cwd.value);
    draft.set(['cwd'], path.isAbsolute(cwd.value) ? cwd.value : path.relative(context.configDir, appDir) || '.', [cwd.written]);
  } else {
    if (cwd) draft.skip(cwd.written, `expected a directory path (got ${shownValue(cwd.value)})`);
    if (appDir !== context.configDir) draft.set(['cwd'], path.relative(context.configDir, appDir), []);
  }

  mapCommand(draft, keys, script!, scriptText, appDir);
  mapEnv(draft, keys, context);
  mapInstances(draft, keys, context);
  mapReadiness(draft, keys);
  mapRestart(draft, keys);
  mapStopAndLimits(draft, keys);
  mapWatch(draft, { watch: keys.take('watch'), ignore: keys.take('ignore_watch'), delay: keys.take('watch_delay') });
  mapCronRestart(draft, keys.take('cron_restart'));

  for (const key of keys.left()) {
    const entry = keys.take(key);
    if (!entry) continue;
    const gap = PM2_GAPS[key];
    if (gap?.inert?.(entry.value)) continue;
    draft.skip(entry.written, gap ? gap.reason : 'not a key PM2 knows: nothing to map');
  }
  return { draft, pm2Name, skipped: null };
}

/** script, exec_interpreter, node_args, args → command + args. */
function mapCommand(draft: ServiceDraft, keys: AppKeys, script: Taken, scriptText: string, appDir: string): void {
  const interpreter = keys.take('exec_interpreter');
  const nodeArgs = keys.take('node_args');
  const args = keys.take('args');
  const listOf = (entry: Taken | undefined): string[] => {
    if (!entry) return [];
    const nonData = Array.isArray(entry.value) ? entry.value.find(isNonData) : undefined;
    const list = nonData ? null : argList(entry.value);
    if (nonData) draft.skip(entry.written, `it holds ${nonDataReason(nonData)}`);
    else if (list === null) draft.skip(entry.written, `expected an array of strings or one string (got ${shownValue(entry.value)})`);
    return list ?? [];
  };
  const interpreterText = typeof interpreter?.value === 'string' && interpreter.value !== '' ? interpreter.value : undefined;
  if (interpreter && interpreterText === undefined) draft.skip(interpreter.written, `expected a program (got ${shownValue(interpreter.value)})`);

  // A script with a space is a command line: PM2 runs it as bash -c "<script>", without args.
  if (interpreterText === undefined && scriptText.includes(' ')) {
    draft.set(['command'], 'bash', [script.written]);
    draft.set(['args'], ['-c', scriptText], [script.written]);
    draft.note(`script ${JSON.stringify(scriptText)} is a command line: run with bash -c, as PM2 runs it`);
    if (args && listOf(args).length > 0) draft.skip(args.written, 'PM2 passes no args to a script that is a command line: put them in the script');
    if (nodeArgs && listOf(nodeArgs).length > 0) draft.skip(nodeArgs.written, 'the script is a command line: no interpreter to pass them to');
    return;
  }
  const runner = runnerFor(scriptText, interpreterText, appDir);
  if (runner.note) draft.note(runner.note);
  const userArgs = listOf(args);
  let list: string[];
  if (runner.direct) {
    if (nodeArgs && listOf(nodeArgs).length > 0) draft.skip(nodeArgs.written, 'the script runs by itself: no interpreter to pass them to');
    list = userArgs;
  } else {
    list = [...listOf(nodeArgs), scriptText, ...userArgs];
  }
  // One unit: a command without its script (or the script without its interpreter) would run something else.
  const from = [script.written, ...(interpreter && interpreterText ? [interpreter.written] : []), ...(nodeArgs && !runner.direct ? [nodeArgs.written] : []), ...(args ? [args.written] : [])];
  draft.set(['command'], runner.command, from);
  if (list.length > 0) draft.set(['args'], list, from);
}

/** env, env_<name> (with --env), port, filter_env → env, inheritEnv. */
function mapEnv(draft: ServiceDraft, keys: AppKeys, context: AppContext): void {
  const addVariables = (entry: Taken) => {
    if (typeof entry.value !== 'object' || entry.value === null || Array.isArray(entry.value)) {
      draft.skip(entry.written, `expected an object of variables (got ${shownValue(entry.value)})`);
      return;
    }
    for (const [variable, value] of Object.entries(entry.value as Record<string, unknown>)) {
      const key = `${entry.written}.${variable}`;
      if (isNonData(value)) draft.skip(key, nonDataReason(value));
      else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') draft.set(['env', variable], value, [key]);
      else draft.skip(key, `svc's env values are strings, numbers or booleans (got ${shownValue(value)})`);
    }
  };
  const env = keys.take('env');
  if (env) addVariables(env);
  for (const key of keys.left().filter((k) => /^env_/.test(k))) {
    const profile = keys.take(key);
    if (!profile) continue;
    if (context.profile !== null && key === `env_${context.profile}`) addVariables(profile);
    else {
      const name = key.slice('env_'.length);
      draft.skip(profile.written, `svc has no environment profiles: import again with --env ${name} (into another file with --config) to use them`);
    }
  }
  // PM2 sets PORT from `port`, over env.
  const port = keys.take('port');
  if (port) {
    if (portOf(port.value) !== null || port.value === 0) draft.set(['env', 'PORT'], pm2Number(port.value), [port.written]);
    else draft.skip(port.written, `expected a port number (got ${shownValue(port.value)})`);
  }
  const filter = keys.take('filter_env');
  if (filter?.value === true) draft.set(['inheritEnv'], false, [filter.written]);
  else if (filter && filter.value !== false) {
    draft.skip(filter.written, 'svc has no filter by prefix: inheritEnv: false passes none of the inherited variables (only env and envFile)');
  }
}

/** instances, exec_mode (cluster) → instances + listen. */
function mapInstances(draft: ServiceDraft, keys: AppKeys, context: AppContext): void {
  const instances = keys.take('instances');
  const mode = keys.take('exec_mode');
  let cluster: boolean | undefined;
  if (mode) {
    const match = typeof mode.value === 'string' ? /^(cluster|fork)(_mode)?$/.exec(mode.value) : null;
    if (match) cluster = match[1] === 'cluster';
    else draft.skip(mode.written, `expected fork or cluster (got ${shownValue(mode.value)})`);
  }
  let count: number | undefined;
  if (instances) {
    const value = instances.value === 'max' ? 0 : pm2Number(instances.value);
    if (value === null || !Number.isInteger(value)) {
      draft.skip(instances.written, `expected a number or "max" (got ${shownValue(instances.value)})`);
    } else if (value <= 0) {
      // PM2: 'max' and 0 are every CPU, -n all but n.
      count = Math.min(MAX_INSTANCES, Math.max(1, context.cpus + value));
      draft.note(`instances ${shownValue(instances.value)} → ${count}: this machine's CPUs${context.cpus + value > MAX_INSTANCES ? ` (svc runs at most ${MAX_INSTANCES})` : ''}; svc runs a fixed number, so edit it for another machine`);
    } else {
      count = value;
    }
  }
  const command = draft.get(['command']);
  // Without exec_mode, PM2 runs a node app with `instances` in cluster mode.
  const clustered = cluster ?? (instances !== undefined && typeof command === 'string' && isNode(command));
  // One socket for all: asked for (exec_mode cluster), or implied with more than one instance.
  const shares = clustered && (cluster === true || (count ?? 1) > 1);
  const from = [...(instances ? [instances.written] : []), ...(mode ? [mode.written] : [])];
  if (count !== undefined && (count !== 1 || shares)) draft.set(['instances'], count, from);
  if (!shares) {
    if ((count ?? 1) > 1) draft.note(`fork mode: ${count} copies, each binding its own port if it listens (to share one, add listen and serve on fd 3)`);
    return;
  }
  const envPort = draft.get(['env', 'PORT']);
  const port = portOf(envPort);
  if (port === null) {
    draft.note('cluster mode, but no port was found (port, env.PORT): listen is not written; add listen: { port: … } and serve on fd 3 so that the instances share one socket');
    return;
  }
  draft.set(['listen', 'port'], port, from);
  draft.set(['listen', 'host'], CLUSTER_HOST, from);
  draft.note(
    `cluster mode → ${count ?? 1} instance${count === 1 ? '' : 's'} on listen ${CLUSTER_HOST}:${port}, a socket svc binds once: the app must serve on fd 3 (@svc/drain's listen(), or server.listen({ fd: 3 })), not bind ${port} itself`,
  );
}

/** wait_ready, listen_timeout, min_uptime → readiness. */
function mapReadiness(draft: ServiceDraft, keys: AppKeys): void {
  const waitReady = keys.take('wait_ready');
  if (waitReady?.value === true) {
    draft.set(['readiness', 'type'], 'notify', [waitReady.written]);
    draft.note("wait_ready → readiness notify: the app must send process.send({ svc: 'ready' }) or call @svc/health's ready(); PM2's process.send('ready') is not understood");
  } else if (waitReady && waitReady.value !== false) {
    draft.skip(waitReady.written, `expected true or false (got ${shownValue(waitReady.value)})`);
  }
  setDuration(draft, keys, 'listen_timeout', ['readiness', 'timeout'], pm2Millis);
  setDuration(draft, keys, 'min_uptime', ['readiness', 'startWindow'], pm2Uptime);
}

function setDuration(draft: ServiceDraft, keys: AppKeys, key: string, option: string[], read: (value: unknown) => number | null): number | null {
  const entry = keys.take(key);
  if (!entry) return null;
  const ms = read(entry.value);
  if (ms === null) {
    draft.skip(entry.written, `expected a number of milliseconds (got ${shownValue(entry.value)})`);
    return null;
  }
  draft.set(option, durationText(ms), [entry.written]);
  return ms;
}

/** autorestart, exp_backoff_restart_delay, restart_delay, max_restarts, stop_exit_codes → restart. */
function mapRestart(draft: ServiceDraft, keys: AppKeys): void {
  const autorestart = keys.take('autorestart');
  if (autorestart?.value === false) draft.set(['restart', 'policy'], 'never', [autorestart.written]);
  // PM2 restarts after any exit, 0 included: svc's on-failure would not.
  else if (autorestart?.value === true) draft.set(['restart', 'policy'], 'always', [autorestart.written]);
  else if (autorestart) draft.skip(autorestart.written, `expected true or false (got ${shownValue(autorestart.value)})`);

  const backoff = keys.take('exp_backoff_restart_delay');
  const fixed = keys.take('restart_delay');
  const backoffMs = backoff ? pm2Millis(backoff.value) : null;
  if (backoff && backoffMs === null) draft.skip(backoff.written, `expected a number of milliseconds (got ${shownValue(backoff.value)})`);
  if (backoff && backoffMs !== null && backoffMs > 0) {
    // PM2's backoff: the delay × 1.5 at each restart, up to 15 s, from the start after 30 s up.
    const from = [backoff.written];
    draft.set(['restart', 'delay'], durationText(backoffMs), from);
    draft.set(['restart', 'factor'], 1.5, from);
    draft.set(['restart', 'maxDelay'], durationText(Math.max(15_000, backoffMs)), from);
    draft.set(['restart', 'resetAfter'], '30s', from);
    if (fixed) draft.skip(fixed.written, 'exp_backoff_restart_delay is given too and wins, in PM2 as in svc');
  } else if (fixed) {
    const ms = pm2Millis(fixed.value);
    if (ms === null) draft.skip(fixed.written, `expected a number of milliseconds (got ${shownValue(fixed.value)})`);
    else {
      // A fixed delay: no growth, no jitter.
      draft.set(['restart', 'delay'], durationText(ms), [fixed.written]);
      draft.set(['restart', 'factor'], 1, [fixed.written]);
      draft.set(['restart', 'jitter'], 0, [fixed.written]);
    }
  }

  const maxRestarts = keys.take('max_restarts');
  if (maxRestarts) {
    const count = pm2Number(maxRestarts.value);
    if (count === null) draft.skip(maxRestarts.written, `expected a number (got ${shownValue(maxRestarts.value)})`);
    else {
      draft.set(['restart', 'crashLoop', 'count'], count, [maxRestarts.written]);
      draft.set(['restart', 'crashLoop', 'window'], '1m', [maxRestarts.written]);
    }
  }
  const exitCodes = keys.take('stop_exit_codes');
  if (exitCodes) {
    const list = Array.isArray(exitCodes.value) ? exitCodes.value : [exitCodes.value];
    const codes = list.map((c) => pm2Number(c));
    if (codes.some((c) => c === null)) draft.skip(exitCodes.written, `expected exit codes (got ${shownValue(exitCodes.value)})`);
    else draft.set(['restart', 'neverRestartExitCodes'], codes, [exitCodes.written]);
  }
}

/** PM2's stop signal, kill_timeout, max_memory_restart → stop, limits. */
function mapStopAndLimits(draft: ServiceDraft, keys: AppKeys): void {
  // PM2 stops an app with SIGINT (then SIGKILL after kill_timeout): apps written for it handle SIGINT.
  draft.set(['stop', 'signal'], 'SIGINT', []);
  setDuration(draft, keys, 'kill_timeout', ['stop', 'timeout'], pm2Millis);
  const memory = keys.take('max_memory_restart');
  if (memory) {
    const bytes = pm2Memory(memory.value);
    if (bytes === null) draft.skip(memory.written, `expected bytes or <n>K, <n>M, <n>G (got ${shownValue(memory.value)})`);
    else if (bytes > 0) {
      draft.set(['limits', 'memory'], sizeText(bytes), [memory.written]);
      draft.note(`max_memory_restart → limits.memory: RSS of the whole process tree, over ${sizeText(bytes)} for limits.window (10s) → a graceful restart`);
    }
  }
}
