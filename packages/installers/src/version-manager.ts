/**
 * Node binaries installed by a version manager live in a directory named after the exact version.
 * A unit that points there breaks when that version is removed after an upgrade (the failure
 * PM2's startup script is known for: Unitech/pm2#2006, #5911), and fnm's "multishell" paths even
 * vanish when the shell that created them exits. Each manager has a path that stays put.
 */
export type VersionManager = 'nvm' | 'fnm' | 'volta' | 'asdf';

export interface VersionManagerMatch {
  manager: VersionManager;
  /** A node path that survives upgrades, when one can be derived from the given path. */
  stablePath: string | undefined;
  /** What to do instead, in one sentence. */
  advice: string;
}

interface Rule {
  manager: VersionManager;
  pattern: RegExp;
  stable: (match: RegExpExecArray, sep: string) => string | undefined;
  advice: (stablePath: string | undefined) => string;
}

const RULES: readonly Rule[] = [
  {
    manager: 'nvm',
    // ~/.nvm/versions/node/v22.1.0/bin/node, and nvm-windows' %APPDATA%\nvm\v22.1.0\node.exe
    pattern: /^(.*?)[\\/](?:\.nvm[\\/]versions[\\/]node|nvm)[\\/]v\d[^\\/]*[\\/]/,
    stable: () => undefined,
    advice: () =>
      'nvm has no version-independent node path: install Node from your OS packages or nodejs.org (e.g. /usr/bin/node) and pass that path',
  },
  {
    manager: 'fnm',
    // <fnm dir>/node-versions/v22.1.0/installation/bin/node or <runtime dir>/fnm_multishells/<id>/bin/node
    pattern: /^(.*?)[\\/](?:(fnm)[\\/]node-versions[\\/][^\\/]+[\\/]installation|fnm_multishells[\\/][^\\/]+)[\\/]/,
    stable: (m, sep) => (m[2] ? [m[1], 'fnm', 'aliases', 'default', 'bin', 'node'].join(sep) : undefined),
    advice: (stable) =>
      `use fnm's default alias, which follows \`fnm default\`: ${stable ?? '$FNM_DIR/aliases/default/bin/node (FNM_DIR defaults to ~/.local/share/fnm)'}`,
  },
  {
    manager: 'volta',
    // ~/.volta/tools/image/node/22.1.0/bin/node
    pattern: /^(.*?)[\\/]\.volta[\\/]tools[\\/]image[\\/]node[\\/]/,
    stable: (m, sep) => [m[1], '.volta', 'bin', 'node'].join(sep),
    advice: (stable) => `use Volta's shim, which picks the pinned version: ${stable}`,
  },
  {
    manager: 'asdf',
    // ~/.asdf/installs/nodejs/22.1.0/bin/node
    pattern: /^(.*?)[\\/]\.asdf[\\/]installs[\\/]nodejs[\\/]/,
    stable: (m, sep) => [m[1], '.asdf', 'shims', 'node'].join(sep),
    advice: (stable) => `use asdf's shim, which picks the version from .tool-versions: ${stable}`,
  },
];

export function detectVersionManager(nodePath: string): VersionManagerMatch | undefined {
  const sep = nodePath.includes('\\') && !nodePath.includes('/') ? '\\' : '/';
  for (const rule of RULES) {
    const match = rule.pattern.exec(nodePath);
    if (!match) continue;
    const stablePath = rule.stable(match, sep);
    return { manager: rule.manager, stablePath, advice: rule.advice(stablePath) };
  }
  return undefined;
}
