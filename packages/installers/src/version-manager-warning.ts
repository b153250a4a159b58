import type { InstallerWarning } from './types.js';
import type { VersionManagerMatch } from './version-manager.js';

export function versionManagerWarning(match: VersionManagerMatch | undefined, nodePath: string): InstallerWarning | undefined {
  if (!match) return undefined;
  return {
    code: 'WVERSION_MANAGER',
    message: `nodePath ${nodePath} is inside ${match.manager}'s per-version directory and disappears when that version is removed; ${match.advice}.`,
    manager: match.manager,
    nodePath,
    stablePath: match.stablePath,
  };
}
