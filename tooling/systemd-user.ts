import { accessSync, constants } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** The user manager the tests run in a private mount namespace (see each test's session script). */
export const SYSTEMD = '/lib/systemd/systemd';

/**
 * Why a real `systemd --user` cannot run on this machine, or undefined when it can: the tests that
 * drive one (the installers' and the CLI's) say this reason in their name when they are skipped.
 */
export function whyNoSystemd(): string | undefined {
  if (process.platform !== 'linux') return `platform is ${process.platform}, not Linux`;
  try {
    accessSync(SYSTEMD, constants.X_OK);
  } catch {
    // Only the reason is needed: the file is missing or not executable.
    return `${SYSTEMD} is not there`;
  }
  try {
    execFileSync('unshare', ['-m', '--propagation', 'private', 'true'], { stdio: 'ignore' });
  } catch (error) {
    return `cannot make a private mount namespace (unshare -m needs root or CAP_SYS_ADMIN): ${(error as Error).message}`;
  }
  return undefined;
}
