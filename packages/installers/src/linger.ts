import { access } from 'node:fs/promises';
import path from 'node:path';
import { posixCommandLine } from './posix-quote.js';

/**
 * A user's systemd instance runs only while the user is logged in, unless lingering is on
 * (systemd/systemd#7339): then logind starts it at boot and user units with
 * WantedBy=default.target start with it. logind keeps one empty file per lingering user.
 */
export interface LingerStatus {
  user: string;
  enabled: boolean;
  /** The command that turns lingering on (what `linger: true` runs). */
  enableCommand: string;
}

export async function readLingerStatus(lingerDir: string, user: string): Promise<LingerStatus> {
  let enabled = true;
  try {
    await access(path.join(lingerDir, user));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    enabled = false;
  }
  return { user, enabled, enableCommand: posixCommandLine(['loginctl', 'enable-linger', user]) };
}
