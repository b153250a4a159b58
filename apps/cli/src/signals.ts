/**
 * What a foreground daemon (`svc run`, `svc daemon run`) does on each signal, in the one wording
 * both commands' help and docs/cli.md use (a test holds the page to it).
 */
export const DAEMON_SIGNALS = 'SIGTERM/SIGINT stop everything gracefully; SIGHUP reloads every running service (zero-downtime with listen, a restart without).';
