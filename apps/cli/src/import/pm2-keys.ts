/*
 * PM2's ecosystem keys as data (from PM2's own lib/API/schema.json): the other names PM2 takes
 * for a key, the keys svc maps (pm2-app.ts says how), and, for each key svc has nothing for, why —
 * the words the import report and docs/guides/migrating-from-pm2.md give. A test checks these
 * lists against PM2's schema and the guide's tables.
 */

/** Another name PM2 takes for a key → the key (PM2's `alias` entries, and its `cmd`/`command` for `script`). */
export const PM2_ALIASES: Record<string, string> = {
  exec: 'script',
  cmd: 'script',
  command: 'script',
  interpreter: 'exec_interpreter',
  interpreterArgs: 'node_args',
  interpreter_args: 'node_args',
  out: 'out_file',
  output: 'out_file',
  out_log: 'out_file',
  error: 'error_file',
  err: 'error_file',
  err_file: 'error_file',
  err_log: 'error_file',
  log: 'log_file',
  pid: 'pid_file',
  cron: 'cron_restart',
  combine_logs: 'merge_logs',
  user: 'uid',
};

/** The keys pm2-app.ts maps onto svc's (by canonical name); every other key is a gap below, or unknown. */
export const PM2_MAPPED_KEYS = [
  'name',
  'script',
  'exec_interpreter',
  'node_args',
  'args',
  'cwd',
  'env',
  'port',
  'filter_env',
  'instances',
  'exec_mode',
  'wait_ready',
  'listen_timeout',
  'min_uptime',
  'max_restarts',
  'exp_backoff_restart_delay',
  'restart_delay',
  'autorestart',
  'stop_exit_codes',
  'kill_timeout',
  'max_memory_restart',
  'watch',
  'ignore_watch',
  'watch_delay',
  'cron_restart',
] as const;

/** A key svc does not map: why, and which of its values ask for nothing (nothing to report then). */
export interface Pm2Gap {
  reason: string;
  /** A value that asks for nothing svc lacks (`watch: false`): the key is taken as mapped. */
  inert?: (value: unknown) => boolean;
}

const off = (value: unknown) => value === false || value === null || value === 0 || value === '0' || value === '' || (Array.isArray(value) && value.length === 0);
const on = (value: unknown) => value === true;

const LOG_PATHS = 'svc has no per-service log paths: it writes <state dir>/logs/<project>/{name}.out.log and .err.log, rotated by size (svc describe {name} prints them)';
const PM2_PLUS = 'PM2 Plus / PM2.io monitoring: svc has none (svc status, svc health and @svc/health metrics instead)';
const PM2_ONLY = "PM2's own bookkeeping: nothing to map";

/** Every PM2 key svc has no equivalent for, by its canonical name. `{name}` is the service's name. */
export const PM2_GAPS: Record<string, Pm2Gap> = {
  watch_options: { reason: "chokidar's options: svc watches with its own (watch.paths, watch.ignore, watch.debounce)", inert: off },
  out_file: { reason: LOG_PATHS },
  error_file: { reason: LOG_PATHS },
  log_file: { reason: LOG_PATHS, inert: off },
  pid_file: { reason: 'svc keeps no pid files: svc status --json gives the pid' },
  disable_logs: { reason: 'svc always keeps logs, rotated by size (logs.maxSize, logs.maxFiles)', inert: off },
  log_date_format: { reason: 'svc stores the time it received each line (svc logs {name} --timestamps shows it, ISO 8601 UTC): no format of its own' },
  time: { reason: 'svc always stores the time it received each line; svc logs {name} --timestamps shows it', inert: on },
  log_type: { reason: 'svc writes lines as the service prints them; its own event log is JSON lines (svc logs {name} --events)' },
  merge_logs: { reason: 'svc always writes one file per stream for all instances', inert: on },
  namespace: { reason: 'svc has no namespaces: each config file is a project (the same name in two files is two services)' },
  instance_var: { reason: 'svc numbers instances in SVC_INSTANCE (0 … instances-1), under no other name: read SVC_INSTANCE' },
  increment_var: { reason: 'svc has no incrementing variable per instance: compute it from SVC_INSTANCE' },
  uid: { reason: 'svc runs services as the user of its daemon: sudo svc install {name} --system --user <account> runs them as another' },
  gid: { reason: 'svc runs services as the user of its daemon and that user’s group' },
  autostart: { reason: 'svc has no per-service autostart: svc start --all starts every service of the file; start the others by name', inert: on },
  treekill: { reason: 'svc always stops the whole process group (and descendants that left it)', inert: on },
  shutdown_with_message: {
    reason: "svc sends Node services { svc: 'shutdown' } over IPC with the stop signal (not 'shutdown'): handle that message, or the signal (@svc/drain does both)",
    inert: off,
  },
  kill_retry_time: { reason: 'svc sends the stop signal once, then SIGKILL after stop.timeout' },
  source_map_support: { reason: 'PM2 wraps the script for source maps: add --enable-source-maps to node_args instead', inert: off },
  disable_source_map_support: { reason: PM2_ONLY },
  force: { reason: 'a PM2 start option (start it again even if it runs): svc start --force replaces a service that runs another definition', inert: off },
  append_env_to_name: { reason: 'svc has no environment profiles to name services after', inert: off },
  post_update: { reason: PM2_PLUS },
  vizion: { reason: PM2_PLUS, inert: off },
  pmx: { reason: PM2_PLUS, inert: off },
  automation: { reason: PM2_PLUS, inert: off },
  trace: { reason: PM2_PLUS, inert: off },
  disable_trace: { reason: PM2_PLUS },
  deep_monitoring: { reason: PM2_PLUS, inert: off },
  v8: { reason: PM2_PLUS, inert: off },
  event_loop_inspector: { reason: PM2_PLUS, inert: off },
  io: { reason: PM2_PLUS },
  install_url: { reason: PM2_PLUS },
  name_prefix: { reason: PM2_ONLY },
  username: { reason: PM2_ONLY },
  write: { reason: PM2_ONLY },
  execute_command: { reason: PM2_ONLY },
  windowsHide: { reason: 'svc always hides the console window of a Windows service', inert: on },
};

/** Top-level keys of an ecosystem file besides its apps. */
export const PM2_FILE_GAPS: Record<string, string> = {
  deploy: 'svc has no deploy: keep pm2 deploy, or your CI, for that',
  static: 'svc has no static file server (pm2 serve): run one as a service',
};
