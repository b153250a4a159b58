import { LOCK_KEY_PREFIX, RESTART_TABLE } from '@svc/supervisor';
import { checkServiceDefinition, DEFAULTS, definitionProblems, LIMITS, SERVICE_DEFAULTS } from '@svc/supervisor/definition';
import { code, table } from './markdown.js';
import { BASE, type Definition, WRONG, withValue } from './config-probe.js';

/*
 * The keys of the configuration reference (config-reference.ts renders them), group by group: the
 * meaning of each key is written here; its default is @svc/supervisor's constant (DEFAULTS,
 * SERVICE_DEFAULTS), its bounds LIMITS', and what it accepts is asked of the validator
 * (config-probe.ts). Then the rules between keys, each checked against the validator.
 */

/** A duration's or size's bounds (ms or bytes), as LIMITS has them. */
interface UnitBounds {
  min?: number;
  max?: number;
}
type Checked = ReturnType<typeof checkServiceDefinition>;

type Kind = 'duration' | 'size' | 'other';

export interface Key {
  key: string;
  type: string;
  kind?: Kind;
  /** The default as the constant holds it (ms for durations, bytes for sizes), or words. */
  default?: { value: unknown; note?: string } | { text: string };
  /** Where checkServiceDefinition puts the effective default of a minimal service (for the test). */
  resolved?: (checked: Checked) => unknown;
  /** What the minimal service needs besides `command` for that default to exist (a `listen`, a `lock`). */
  resolvedWith?: Definition;
  /** Duration and size bounds (else 0 to the global maximum). */
  bounds?: UnitBounds;
  /** Definitions that make the validator say what the key accepts (default: the key set to a value no key takes). */
  probes?: Definition[];
  /** No "accepts" text (an object whose keys follow). */
  section?: boolean;
  about: string;
}

export interface Group {
  title: string;
  /** Keys that are objects of this group, named in its heading rather than given a row. */
  headingKeys: string[];
  intro: string;
  keys: Key[];
  example: Definition;
  extra?: () => string;
}

const D = DEFAULTS;
const L = LIMITS;
const S = SERVICE_DEFAULTS;
const duration = (key: string, about: string, extra: Partial<Key> = {}): Key => ({ key, type: 'duration', kind: 'duration', about, ...extra });
const size = (key: string, about: string, extra: Partial<Key> = {}): Key => ({ key, type: 'size', kind: 'size', about, ...extra });
const is = (value: unknown, note?: string) => ({ value, ...(note ? { note } : {}) });
const words = (text: string) => ({ text });
const LOCK = { backend: 'redis', url: 'redis://127.0.0.1:6379' };

/** The `restart` group's extra: which ends each policy restarts, from RESTART_TABLE. */
function restartTable(): string {
  const policies = Object.keys(Object.values(RESTART_TABLE)[0]!);
  const rows = Object.entries(RESTART_TABLE).map(([reason, row]) => [code(reason, { inTable: true }), ...policies.map((p) => (row[p as keyof typeof row] ? 'restarted' : '–'))]);
  return [
    'Which ends each policy restarts (`clean`: exit code 0, or a SIGHUP, SIGINT, SIGTERM or SIGPIPE that svc did not send; a start that timed out, a failed liveness check and an exceeded limit are restarted like a crash):',
    table(['end', ...policies.map((p) => code(p, { inTable: true }))], rows),
  ].join('\n\n');
}

export const GROUPS: Group[] = [
  {
    title: 'The process',
    headingKeys: [],
    intro: 'What runs, where, and with which environment. `command` is the only key a service must have.',
    keys: [
      { key: 'command', type: 'string', default: words('required'), about: 'The program: a path, or a name looked up on `PATH`. Run without a shell.' },
      { key: 'args', type: 'array of strings', default: is(D.args), resolved: (c) => c.resolved.args, about: 'Its arguments.' },
      { key: 'cwd', type: 'path', default: words("the config file's directory"), about: "Its working directory, relative to the config file's directory." },
      {
        key: 'env',
        type: 'object',
        default: words('none'),
        probes: [withValue(BASE, 'env', WRONG), withValue(BASE, 'env.PORT', WRONG)],
        about: 'Variables set for it, over the environment it inherits and over `envFile`. Numbers and booleans are passed as strings.',
      },
      {
        key: 'envFile',
        type: 'path',
        default: words('none'),
        about:
          'A `.env` file, relative to `cwd`: `KEY=value` lines, `export`, quotes, no variable expansion. Read when the config is loaded (a missing or broken one is a config error) and again at each start; `env` wins over it. Its values are never kept in svc\'s files.',
      },
      {
        key: 'inheritEnv',
        type: 'boolean',
        default: is(D.inheritEnv),
        resolved: (c) => c.resolved.inheritEnv,
        about: 'Pass on the environment of the command that defined the service (`svc start`, `svc restart`, `svc reload`); `false` leaves only `envFile` and `env`.',
      },
      { key: 'ipc', type: 'boolean or "auto"', default: is(D.ipc), about: 'Open a Node IPC channel to the process (the graceful-stop message goes over it); `auto`: when `command` is `node`.' },
    ],
    example: { command: 'node', args: ['server.js', '--port', '3000'], cwd: 'app', env: { NODE_ENV: 'production', WORKERS: 4 }, envFile: '.env', inheritEnv: true, ipc: 'auto' },
  },
  {
    title: '`readiness`',
    headingKeys: ['readiness'],
    intro: 'When a start has succeeded: `svc start` waits for it, and a start that does not get there is a failed start.',
    keys: [
      {
        key: 'readiness.type',
        type: 'string',
        default: is(D.readiness.type),
        resolved: (c) => c.resolved.readiness.type,
        about: '`notify`: the process sends READY=1 (`@svc/health` does); `http`: a GET of `readiness.url` answers 2xx; `tcp`: `readiness.host`:`readiness.port` accepts a connection; `none`: it stayed up for `readiness.startWindow`.',
      },
      { key: 'readiness.url', type: 'URL', default: words('none'), about: 'What `http` readiness GETs. Required with `type: http`.' },
      {
        key: 'readiness.host',
        type: 'string',
        default: { value: checkServiceDefinition('probe', BASE).resolved.readiness.host },
        resolved: (c) => c.resolved.readiness.host,
        about: 'Where `tcp` readiness connects.',
      },
      { key: 'readiness.port', type: 'integer', default: words('none'), probes: [withValue(BASE, 'readiness', { type: 'tcp', port: WRONG })], about: 'What `tcp` readiness connects to. Required with `type: tcp`.' },
      duration('readiness.timeout', 'A start not ready by then is a failed start.', { default: is(D.readiness.timeoutMs), resolved: (c) => c.resolved.readiness.timeoutMs, bounds: L.readiness.timeout }),
      duration('readiness.interval', 'The longest wait between `http`/`tcp` probes: they start right after the spawn and back off up to this.', {
        default: is(D.readiness.intervalMs),
        resolved: (c) => c.resolved.readiness.intervalMs,
        bounds: L.readiness.interval,
      }),
      duration(
        'readiness.startWindow',
        'How long a start must stay up after its spawn to count as started: an exit inside it is a failed start. With the other types, a floor besides their check; then it must be below `readiness.timeout`.',
        { default: is(D.readiness.startWindowMs, 'with `type: none`; 0 with the others'), resolved: (c) => c.resolved.readiness.startWindowMs },
      ),
    ],
    example: { readiness: { type: 'http', url: 'http://127.0.0.1:3000/ready', timeout: '30s', interval: '250ms', startWindow: '2s' } },
  },
  {
    title: '`liveness`',
    headingKeys: ['liveness'],
    intro: 'Whether a running service is still well: when a check fails, the service is restarted (as its `restart` policy says).',
    keys: [
      duration('liveness.heartbeatTimeout', 'Restart when no WATCHDOG=1 came for this long (`@svc/health` sends them). 0: no heartbeat check.', {
        default: is(D.liveness.heartbeatTimeoutMs),
        resolved: (c) => c.resolved.liveness.heartbeatTimeoutMs,
        bounds: L.liveness.heartbeatTimeout,
      }),
      { key: 'liveness.http', type: 'URL', default: words('none'), about: 'A URL GET every `liveness.interval`; `liveness.failureThreshold` failures in a row restart the service.' },
      duration('liveness.interval', 'Between two `liveness.http` probes.', { default: is(D.liveness.intervalMs), resolved: (c) => c.resolved.liveness.intervalMs, bounds: L.liveness.interval }),
      {
        key: 'liveness.failureThreshold',
        type: 'integer',
        default: is(D.liveness.failureThreshold),
        resolved: (c) => c.resolved.liveness.failureThreshold,
        about: 'Failed probes in a row that make a restart.',
      },
      duration('liveness.timeout', "One `liveness.http` probe's timeout.", { default: is(D.liveness.timeoutMs), resolved: (c) => c.resolved.liveness.timeoutMs, bounds: L.liveness.timeout }),
      duration('liveness.reportTimeout', "When a liveness check fails on a Node process with an IPC channel: how long to wait for its diagnostic report (SIGUSR2; kept under `reports/` in the service's log directory) before it is restarted.", {
        default: is(D.liveness.reportTimeoutMs),
        resolved: (c) => c.resolved.liveness.reportTimeoutMs,
      }),
    ],
    example: { liveness: { http: 'http://127.0.0.1:3000/health', interval: '10s', failureThreshold: 3, timeout: '5s' } },
  },
  {
    title: '`restart` and `watch`',
    headingKeys: ['restart'],
    intro:
      'What happens when the process ends without being asked to: which ends are restarted, after how long, and when to give up. Then the restarts nobody types: at the times of `restart.schedule`, and when files change (`watch`). Each of those is a graceful restart, as `svc restart` does but with the definition the service runs (the config file is not read again), or a reload without a refused connection when the service has `listen`; one that comes while the service has ended (`failed`) is skipped, and so is a scheduled time that comes while a start, stop, restart or reload is under way. Each is in the event log with why (`svc logs <name> --events`: `triggered`, `trigger-skipped`).',
    keys: [
      { key: 'restart.policy', type: 'string', default: is(D.restart.policy), resolved: (c) => c.resolved.restart.policy, about: 'Which ends are restarted: see the table below.' },
      duration('restart.delay', 'The first restart delay.', { default: is(D.restart.delayMs), resolved: (c) => c.resolved.restart.delayMs }),
      { key: 'restart.factor', type: 'number', default: is(D.restart.factor), resolved: (c) => c.resolved.restart.factor, about: 'The delay is multiplied by this at each restart in a row.' },
      duration('restart.maxDelay', 'The longest delay; at least `restart.delay`.', { default: is(D.restart.maxDelayMs), resolved: (c) => c.resolved.restart.maxDelayMs }),
      { key: 'restart.jitter', type: 'number', default: is(D.restart.jitter), resolved: (c) => c.resolved.restart.jitter, about: 'Each delay is spread at random by ± this fraction.' },
      duration('restart.resetAfter', 'After this long up, the delay starts from `restart.delay` again.', { default: is(D.restart.resetAfterMs), resolved: (c) => c.resolved.restart.resetAfterMs }),
      {
        key: 'restart.neverRestartExitCodes',
        type: 'array of integers',
        default: is(D.restart.neverRestartExitCodes),
        resolved: (c) => c.resolved.restart.neverRestartExitCodes,
        about: 'Exit codes that are never restarted, whatever the policy: the service is `failed` (a configuration error would only loop).',
      },
      { key: 'restart.crashLoop', type: 'object', section: true, about: 'A crash loop makes the service `failed` instead of restarting it again.' },
      {
        key: 'restart.crashLoop.count',
        type: 'integer',
        default: is(D.restart.crashLoop.count),
        resolved: (c) => c.resolved.restart.crashLoop.count,
        about: 'Starts within `restart.crashLoop.window` that make a crash loop.',
      },
      duration('restart.crashLoop.window', 'The crash-loop window.', { default: is(D.restart.crashLoop.windowMs), resolved: (c) => c.resolved.restart.crashLoop.windowMs, bounds: L.restart.crashLoopWindow }),
      {
        key: 'restart.schedule',
        type: 'string',
        default: words('none'),
        resolved: (c) => c.schedule,
        about:
          'Restart at these times ([croner](https://github.com/Hexagon/croner) reads it): 5 fields, minute hour day-of-month month day-of-week (`0 3 * * *`: 03:00 every day; `*/15 * * * *`; `0 4 * * MON-FRI`), or 6 with seconds first (`*/30 * * * * *`), or `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`. Day-of-month and day-of-week are either-or, as in cron; no year field. An expression croner refuses is refused with its reason.',
      },
      {
        key: 'restart.timeZone',
        type: 'string',
        default: words("the daemon's local time zone"),
        probes: [withValue(BASE, 'restart', { schedule: '@daily', timeZone: WRONG })],
        about: "The IANA time zone of `restart.schedule`'s times (`Europe/Paris`, `UTC`): daylight saving time is followed as croner does (a fixed time skipped in spring runs after the gap, one repeated in autumn runs once).",
      },
      {
        key: 'watch',
        type: 'boolean or object',
        default: words('false'),
        resolved: (c) => c.watch,
        probes: [withValue(BASE, 'watch', WRONG)],
        about: `Restart when files change, for development: \`true\` watches \`cwd\`; an object says what (\`watch.*\` below). A burst of changes (a \`git checkout\`) is one restart once no change has come for \`watch.debounce\`; changes during that restart make one more at most. ${S.watch.alwaysIgnored.map((n) => `\`${n}\``).join(' and ')} are never watched, nor the service's own log and run directories; at most ${S.watch.maxDirs} directories are (past that, a \`watch-limit\` event names the first left out). A service installed with \`svc install\`, or run by \`svc run\`, does not watch unless given \`--watch\`.`,
      },
      {
        key: 'watch.paths',
        type: 'array of strings',
        default: is(S.watch.paths),
        resolved: (c) => c.watch?.paths,
        resolvedWith: { watch: true },
        about: 'Files and directories to watch, relative to `cwd`. A file is watched through its directory (an editor that replaces it on save is seen); symbolic links are not followed.',
      },
      {
        key: 'watch.ignore',
        type: 'array of strings',
        default: is(S.watch.ignore),
        resolved: (c) => c.watch?.ignore,
        resolvedWith: { watch: true },
        about:
          'Globs left out: `*` any characters but `/`, `?` one, `**` any directories; `[…]`, `{…}` and a leading `!` are refused. Without `/` a pattern is a name anywhere below a watched path (`*.log`, `dist`), with `/` a path from `cwd` (`src/generated/**`). An ignored directory is not watched at all. A service that writes into what it watches (a cache, an upload directory) restarts itself: leave it out here.',
      },
      duration('watch.debounce', 'How long the files must stay unchanged after a change before the restart.', {
        default: is(S.watch.debounceMs),
        resolved: (c) => c.watch?.debounceMs,
        resolvedWith: { watch: true },
        bounds: L.watch.debounce,
      }),
    ],
    example: {
      restart: { policy: 'on-failure', delay: '1s', factor: 2, maxDelay: '30s', jitter: 0.1, resetAfter: '1m', neverRestartExitCodes: [78], crashLoop: { count: 5, window: '1m' }, schedule: '0 3 * * *', timeZone: 'Europe/Paris' },
      watch: { paths: ['src', 'package.json'], ignore: ['*.log', 'src/generated/**'], debounce: '500ms' },
    },
    extra: restartTable,
  },
  {
    title: '`stop`',
    headingKeys: ['stop'],
    intro: 'How the service is stopped (`svc stop`, a restart, a reload, a limit).',
    keys: [
      {
        key: 'stop.signal',
        type: 'string',
        default: is(D.stop.signal),
        resolved: (c) => c.resolved.stop.signal,
        about: "Sent to the process's group; a Node process with an IPC channel also gets a shutdown message.",
      },
      duration('stop.timeout', 'Then SIGKILL to the whole process tree.', { default: is(D.stop.timeoutMs), resolved: (c) => c.resolved.stop.timeoutMs }),
    ],
    example: { stop: { signal: 'SIGINT', timeout: '30s' } },
  },
  {
    title: '`limits`',
    headingKeys: ['limits'],
    intro: 'Resource limits over the whole process tree: exceeded for `limits.window` without a break, the service is restarted gracefully.',
    keys: [
      size('limits.memory', 'Resident memory (RSS) of the tree. 0: no limit.', { default: is(D.limits.memoryBytes), resolved: (c) => c.resolved.limits.memoryBytes }),
      { key: 'limits.cpu', type: 'number', default: is(D.limits.cpuPercent), resolved: (c) => c.resolved.limits.cpuPercent, about: 'CPU percent of the tree (100 = one core). 0: no limit.' },
      duration('limits.window', 'How long a limit must be exceeded without a break.', { default: is(D.limits.windowMs), resolved: (c) => c.resolved.limits.windowMs }),
      duration('limits.sampleInterval', 'How often memory and CPU are sampled while `memory` or `cpu` is set; without a limit they are sampled only when asked (`svc status`, metrics), at most this often.', {
        default: is(D.limits.sampleIntervalMs),
        resolved: (c) => c.resolved.limits.sampleIntervalMs,
        bounds: L.limits.sampleInterval,
      }),
    ],
    example: { limits: { memory: '512MB', cpu: 150, window: '30s', sampleInterval: '2s' } },
  },
  {
    title: '`logs`',
    headingKeys: ['logs'],
    intro: "The service's stdout and stderr files, and what svc keeps of them.",
    keys: [
      size('logs.maxSize', 'A log file is rotated when the next line would pass this size.', { default: is(D.logs.maxSizeBytes), resolved: (c) => c.resolved.logs.maxSizeBytes, bounds: L.logs.maxSize }),
      { key: 'logs.maxFiles', type: 'integer', default: is(D.logs.maxFiles), resolved: (c) => c.resolved.logs.maxFiles, about: 'Rotated files kept beside the live one.' },
      size('logs.maxBuffer', "Log bytes waiting to be written above which the process's pipe is paused.", {
        default: is(D.logs.maxBufferBytes),
        resolved: (c) => c.resolved.logs.maxBufferBytes,
        bounds: L.logs.maxBuffer,
      }),
      {
        key: 'logs.stderrTailLines',
        type: 'integer',
        default: is(D.logs.stderrTailLines),
        resolved: (c) => c.resolved.logs.stderrTailLines,
        about: 'The last stderr lines kept in memory, shown with a failed start and a `failed` service.',
      },
    ],
    example: { logs: { maxSize: '50MB', maxFiles: 10, maxBuffer: '1MB', stderrTailLines: 100 } },
  },
  {
    title: '`instances` and `listen`',
    headingKeys: [],
    intro: 'Several copies of one service on one socket, and reloads that refuse no connection.',
    keys: [
      {
        key: 'instances',
        type: 'integer',
        default: is(S.instances),
        resolved: (c) => c.instances,
        about: 'How many copies run, each supervised on its own, with `SVC_INSTANCE` 0…N-1 (`svc scale` changes it while the service runs).',
      },
      {
        key: 'listen',
        type: 'object',
        section: true,
        default: words('none'),
        resolved: (c) => c.listen,
        about: 'A socket the daemon binds once and keeps open while the service runs; every instance gets it as fd 3 (`LISTEN_FDS=1`, `LISTEN_PID`, `LISTEN_FDNAMES`), so `svc reload` replaces instances without refusing a connection. Readiness is then `notify` or `none`.',
      },
      { key: 'listen.port', type: 'integer', default: words('required'), probes: [withValue(BASE, 'listen', { port: WRONG })], about: 'The port; 0 picks a free one.' },
      {
        key: 'listen.host',
        type: 'string',
        default: is(S.listen.host),
        resolved: (c) => c.listen?.host,
        resolvedWith: { listen: { port: 0 } },
        probes: [withValue(BASE, 'listen', { port: 0, host: WRONG })],
        about: 'The address it binds.',
      },
      {
        key: 'listen.backlog',
        type: 'integer',
        default: is(S.listen.backlog),
        resolved: (c) => c.listen?.backlog,
        resolvedWith: { listen: { port: 0 } },
        probes: [withValue(BASE, 'listen', { port: 0, backlog: WRONG })],
        about: 'Connections the kernel queues while no instance accepts (during a restart, they wait here).',
      },
      {
        key: 'listen.adopt',
        type: 'boolean',
        default: words('true for a Node command (`node`, or a `.js`/`.mjs`/`.cjs` script), else false'),
        resolved: (c) => c.listen?.adopt,
        resolvedWith: { command: 'node', listen: { port: 0 } },
        probes: [withValue(BASE, 'listen', { port: 0, adopt: WRONG })],
        about: "A Node app's own `listen()` on this port takes svc's socket, it is ready once it listens, and a SIGTERM it does not handle drains it: svc preloads a module of its own (NODE_OPTIONS). false: the process is left as it is.",
      },
    ],
    example: { instances: 4, listen: { port: 3000, host: '0.0.0.0', backlog: 1024 }, readiness: { type: 'notify' } },
  },
  {
    title: '`type` and `dependsOn`: stacks',
    headingKeys: [],
    intro:
      'A project as a stack: a one-shot task (a migration) that must finish first, a database with a readiness check, an API that needs both. `svc start` with no name starts the whole project, each service once what it depends on has met its condition, services that need nothing of each other at the same time; `svc start <name>` starts what it needs first; `svc stop --all` stops dependents before what they depend on.',
    keys: [
      {
        key: 'type',
        type: 'string',
        default: is(D.type),
        resolved: (c) => c.resolved.type,
        about:
          '`simple`: runs until stopped. `oneshot`: runs to its end; `svc start` waits for its exit, and exit 0 makes it `completed` (shown with its exit code and how long it ran; it is not run again for a dependent until it is started or stopped). A oneshot is never restarted unless `restart.policy` is `on-failure` (which retries a failure, within `restart.crashLoop`), has no start window, and has no time limit unless `readiness.timeout` is set.',
      },
      {
        key: 'dependsOn',
        type: 'list or object',
        default: words('none'),
        // A list is a form it takes (its items are checked one by one): what it accepts is told for a number.
        probes: [withValue(BASE, 'dependsOn', 42)],
        about:
          'What this service needs before it starts: `[db, cache]` (each `ready`), `{ db: ready, migrate: completed }`, or `{ db: { condition: ready, restart: true } }`. Conditions: `started` (spawned), `ready` (its readiness passed), `completed` (a `oneshot` exited 0). `restart: true`: `svc restart db` restarts this service after it (a restart after a crash does not). A dependency that fails fails this start, with the chain of causes.',
      },
    ],
    // One service alone cannot name another: the complete example below has `dependsOn`.
    example: { type: 'oneshot', readiness: { timeout: '10m' }, restart: { policy: 'on-failure' } },
    extra: () =>
      'Between services, `svc config validate` refuses: a name that is not a service of the file, a cycle (`a → b → a`), `completed` of a service that is not a `oneshot` (or of one with `restart.policy: always`), and `ready` of a `oneshot` (never ready while it runs: use `completed` or `started`).',
  },
  {
    title: '`lock`',
    headingKeys: [],
    intro: 'One active instance across hosts: run the service on every host (`svc run`, `svc install`); one of them holds the lease and runs it, the others report `standby` until the lease ends.',
    keys: [
      {
        key: 'lock',
        type: 'object',
        section: true,
        default: words('none'),
        resolved: (c) => c.resolved.lock,
        about: 'Leader election on a Redis or PostgreSQL server; the running copy gets `SVC_FENCING_TOKEN`. Needs the `ioredis` or `pg` package installed. Not with `listen` or more than one instance.',
      },
      { key: 'lock.backend', type: 'string', default: words('required'), probes: [withValue(BASE, 'lock', { ...LOCK, backend: WRONG })], about: 'The server kind.' },
      {
        key: 'lock.url',
        type: 'URL',
        default: words('required'),
        probes: [withValue(BASE, 'lock', { backend: 'redis', url: WRONG }), withValue(BASE, 'lock', { backend: 'postgres', url: WRONG })],
        about: 'The server (a password in it is masked by `svc describe`).',
      },
      duration('lock.ttl', 'How long the lease lives unless renewed (it is renewed every third of it): how long the others wait after the leader is gone.', {
        default: is(D.lock.ttlMs),
        resolved: (c) => c.resolved.lock?.ttlMs,
        resolvedWith: { lock: LOCK },
        bounds: L.lock.ttl,
        probes: [withValue(BASE, 'lock', { ...LOCK, ttl: WRONG })],
      }),
      {
        key: 'lock.key',
        type: 'string',
        default: words(`${code(`${LOCK_KEY_PREFIX}<name>`, { inTable: true })}`),
        probes: [withValue(BASE, 'lock', { ...LOCK, key: WRONG })],
        about: "The lease's name, the same on every host.",
      },
    ],
    example: { lock: { backend: 'redis', url: 'redis://127.0.0.1:6379', ttl: '10s', key: 'billing-leader' } },
  },
];

/** Rules between keys, each checked against the validator (a definition it refuses at `key`, and one it takes). */
export const RULES: Array<{ text: string; key: string; refused: Definition; taken: Definition }> = [
  { text: '`readiness.url` is required with `readiness.type: http`', key: 'readiness.url', refused: { readiness: { type: 'http' } }, taken: { readiness: { type: 'http', url: 'http://127.0.0.1:3000/ready' } } },
  { text: '`readiness.port` is required with `readiness.type: tcp`', key: 'readiness.port', refused: { readiness: { type: 'tcp' } }, taken: { readiness: { type: 'tcp', port: 3000 } } },
  {
    text: '`readiness.startWindow` is below `readiness.timeout` unless the type is `none`',
    key: 'readiness.startWindow',
    refused: { readiness: { type: 'notify', timeout: '5s', startWindow: '5s' } },
    taken: { readiness: { type: 'notify', timeout: '5s', startWindow: '4s' } },
  },
  { text: '`restart.timeZone` goes with `restart.schedule`', key: 'restart.timeZone', refused: { restart: { timeZone: 'UTC' } }, taken: { restart: { schedule: '0 3 * * *', timeZone: 'UTC' } } },
  { text: '`restart.maxDelay` is at least `restart.delay`', key: 'restart.maxDelay', refused: { restart: { delay: '10s', maxDelay: '5s' } }, taken: { restart: { delay: '10s', maxDelay: '10s' } } },
  { text: 'with `listen`, `readiness.type` is `notify` or `none`', key: 'readiness.type', refused: { listen: { port: 3000 }, readiness: { type: 'tcp', port: 3000 } }, taken: { listen: { port: 3000 }, readiness: { type: 'notify' } } },
  { text: 'with `type: oneshot`, `restart.policy` is `on-failure` or `never`', key: 'restart.policy', refused: { type: 'oneshot', restart: { policy: 'always' } }, taken: { type: 'oneshot', restart: { policy: 'on-failure' } } },
  { text: 'with `type: oneshot`, `readiness.type` is `none`', key: 'readiness.type', refused: { type: 'oneshot', readiness: { type: 'notify' } }, taken: { type: 'oneshot', readiness: { timeout: '10m' } } },
  { text: 'with `type: oneshot`, one instance and no `listen`', key: 'instances', refused: { type: 'oneshot', instances: 2 }, taken: { type: 'oneshot', instances: 1 } },
  { text: '`listen.port` is required with `listen`', key: 'listen.port', refused: { listen: {} }, taken: { listen: { port: 0 } } },
  { text: '`lock` goes with neither `listen` nor more than one instance', key: 'lock', refused: { lock: LOCK, instances: 2 }, taken: { lock: LOCK, instances: 1 } },
  { text: '`lock` goes with neither `listen` nor more than one instance', key: 'lock', refused: { lock: LOCK, listen: { port: 3000 } }, taken: { lock: LOCK } },
  { text: "`lock.url` is the backend's: `redis://` or `rediss://` for `redis`, `postgres://` or `postgresql://` for `postgres`", key: 'lock.url', refused: { lock: { backend: 'postgres', url: 'redis://127.0.0.1' } }, taken: { lock: { backend: 'postgres', url: 'postgres://127.0.0.1/db' } } },
];

/** Where a rule does not hold: the rules the validator does not enforce as the page says (for the test). */
export function ruleFindings(): string[] {
  const findings: string[] = [];
  for (const rule of RULES) {
    if (!definitionProblems('probe', { ...BASE, ...rule.refused }).some((p) => p.option === rule.key)) findings.push(`not refused at ${rule.key}: ${JSON.stringify(rule.refused)}`);
    const taken = definitionProblems('probe', { ...BASE, ...rule.taken });
    if (taken.length > 0) findings.push(`refused: ${JSON.stringify(rule.taken)}: ${taken.map((p) => `${p.option} ${p.expected}`).join('; ')}`);
  }
  return findings;
}
