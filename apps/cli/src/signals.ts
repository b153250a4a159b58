/**
 * What a foreground daemon (`svc run`, `svc daemon run`) does on each signal, in the one wording
 * both commands' help and docs/cli.md use (a test holds the page to it).
 */
export const DAEMON_SIGNALS = 'SIGTERM/SIGINT stop everything gracefully; SIGHUP reloads every running service as its config file says now (zero-downtime with listen, a restart without; a file that became invalid changes nothing).';
