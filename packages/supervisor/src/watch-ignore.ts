import path from 'node:path';

/*
 * Which paths a watch leaves out. Patterns are simple globs: `*` is any characters but `/`, `?`
 * one of them, `**` any number of directories; `[…]`, `{…}` and a leading `!` are refused by the
 * checks (watch-options.ts), not read.
 * A pattern without `/` is a name, matched against every file and directory name below a watched
 * path (`*.log`, `dist`); one with `/` is a path from the service's `cwd` (`src/generated/**`,
 * `data/*.db`). A directory that matches is not watched at all, nor anything under it.
 */

/** A path a watch sees: absolute, and as the user would name it (relative to `cwd`, `/`-separated). */
export interface WatchedPath {
  absolute: string;
  relative: string;
}

/** The checks of one watch: its patterns, the names always left out and the directories of svc's own files. */
export interface IgnoreRules {
  /** Patterns without `/`, checked against each name below a watched path. */
  names: RegExp[];
  /** Patterns with `/`, checked against the path from `cwd`. */
  paths: RegExp[];
  /** Absolute directories never watched (the service's log and run directories). */
  dirs: string[];
}

/** A glob as a RegExp over a whole name or relative path. */
export function globToRegExp(glob: string): RegExp {
  const pattern = glob.replace(/^\.\//, '').replace(/\/+$/, '');
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      const before = i === 0 || pattern[i - 1] === '/';
      const after = pattern[i + 2];
      i++;
      if (before && after === '/') {
        // `**/`: any number of directories, none included.
        source += '(?:.*/)?';
        i++;
      } else if (before && after === undefined && source.endsWith('/')) {
        // `dir/**`: the directory itself and everything under it.
        source = `${source.slice(0, -1)}(?:/.*)?`;
      } else {
        source += '.*';
      }
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export function ignoreRules(patterns: readonly string[], alwaysIgnored: readonly string[], dirs: readonly string[]): IgnoreRules {
  const all = [...alwaysIgnored, ...patterns];
  return {
    names: all.filter((p) => !p.replace(/\/+$/, '').includes('/')).map(globToRegExp),
    paths: all.filter((p) => p.replace(/\/+$/, '').includes('/')).map(globToRegExp),
    dirs: dirs.map((d) => path.resolve(d)),
  };
}

/**
 * Whether `target` is left out. `root`: the watched path it is under — names are checked from
 * there down, so that a path asked for by name (`node_modules/my-lib`) is watched all the same.
 */
export function isIgnored(rules: IgnoreRules, target: WatchedPath, root: string): boolean {
  if (rules.dirs.some((dir) => target.absolute === dir || target.absolute.startsWith(`${dir}${path.sep}`))) return true;
  if (rules.paths.some((re) => re.test(target.relative))) return true;
  const below = path.relative(root, target.absolute);
  if (below === '' || below.startsWith('..')) return false;
  return below.split(path.sep).some((name) => rules.names.some((re) => re.test(name)));
}

/** `absolute` as the user names it: relative to `cwd`, with `/` (`.` for `cwd` itself). */
export function watchedPath(absolute: string, cwd: string): WatchedPath {
  const relative = path.relative(cwd, absolute).split(path.sep).join('/');
  return { absolute, relative: relative === '' ? '.' : relative };
}
