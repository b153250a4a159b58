/**
 * Defaults of the generated definitions. The docs' options table is checked against this object,
 * so what the page says is what the code does.
 */
export const DEFAULTS = {
  /** User-level service unless asked otherwise: no root needed, lives in the user's home. */
  system: false,
  /** Prefix of the OS-level service name: `svc-api.service`, `svc.api` (launchd), `svc-api` (Windows). */
  servicePrefix: 'svc-',
  /** Added to the service's stop timeout before the OS manager gives up and kills (TimeoutStopSec, ExitTimeOut, stoptimeout). */
  stopMarginMs: 5_000,
  /** Delay before the OS manager restarts the supervisor after it died (RestartSec, ThrottleInterval, onfailure delay). */
  restartDelayMs: 5_000,
  /** systemd gives up restarting the supervisor after this many failed starts within startLimitIntervalMs. */
  startLimitBurst: 5,
  startLimitIntervalMs: 300_000,
  /** Where system units go. */
  systemUnitDir: '/etc/systemd/system',
  /** Where systemd-logind keeps one flag file per lingering user. */
  lingerDir: '/var/lib/systemd/linger',
  /** Where LaunchDaemons go. */
  launchDaemonDir: '/Library/LaunchDaemons',
  /** Logs of a LaunchDaemon (LaunchAgents log under ~/Library/Logs/svc). */
  launchDaemonLogDir: '/Library/Logs/svc',
} as const;

/** Defaults of install(); the docs' options table lists these too. */
export const INSTALL_DEFAULTS = {
  /** Enable (start at boot / login) and start the service right away. */
  enable: true,
  /** Write nothing, run nothing: return what would be written and run. */
  dryRun: false,
  /** For user units: also turn lingering on (`loginctl enable-linger`) so the service starts at boot. */
  linger: false,
  /** A running service whose definition changed is restarted so that it runs the new one. */
  restartOnChange: true,
  /** uninstall(): the running service is stopped too. */
  stop: true,
} as const;
