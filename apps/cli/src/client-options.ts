import type { DaemonClientOptions } from '@svc/supervisor/spawn';

/** The client options of this process: its environment (SVC_HOME, XDG_*) decides the directories. */
export function clientOptions(extra: Partial<DaemonClientOptions> = {}): DaemonClientOptions {
  return { env: process.env, ...extra };
}
