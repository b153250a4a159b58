import path from 'node:path';
import { LIMITS, WATCH_DEFAULTS } from './defaults.js';
import { isObject, type OptionChecker } from './option-checks.js';
import type { Duration } from './units.js';

/**
 * A Service's `watch`: `true` (its `cwd`, with the defaults), `false`, or what to watch. A change
 * restarts the service once no other has come for `debounce` (a reload with `listen`).
 */
export type WatchOption =
  | boolean
  | {
      /** Files and directories, relative to `cwd` (default `["."]`). */
      paths?: string[];
      /** Globs left out besides node_modules and .git (watch-ignore.ts says the syntax). */
      ignore?: string[];
      /** How long the tree must stay quiet after a change before the restart (default 500 ms). */
      debounce?: Duration;
    };

export interface ResolvedWatch {
  /** The paths as written, for the event log. */
  paths: string[];
  /** The same, absolute. */
  roots: string[];
  cwd: string;
  ignore: string[];
  alwaysIgnored: string[];
  /** svc's own files (the service's log and run directories): never watched. */
  excluded: string[];
  debounceMs: number;
  maxDirs: number;
}

const WATCH_KEYS = ['paths', 'ignore', 'debounce'];
const SHAPE = 'true, false or an object { paths?, ignore?, debounce? }';

/** The `watch` option checked, recording problems in `c`; null when off. `dirs`: the resolved cwd, logDir and runDir. */
export function readWatch(c: OptionChecker, value: unknown, dirs: { cwd: string; logDir: string; runDir: string }): ResolvedWatch | null {
  if (value === undefined || value === false) return null;
  if (value !== true && !isObject(value)) {
    c.fail('watch', value, SHAPE);
    return null;
  }
  const section = value === true ? {} : value;
  c.known('watch', section, WATCH_KEYS);
  const L = LIMITS.watch;
  const paths = stringList(c, 'watch.paths', section.paths, WATCH_DEFAULTS.paths, { min: 1, ...L.paths }, 'files or directories relative to cwd');
  const ignore = stringList(c, 'watch.ignore', section.ignore, WATCH_DEFAULTS.ignore, { min: 0, ...L.ignore }, 'globs');
  for (const pattern of ignore) {
    if (path.isAbsolute(pattern)) c.fail('watch.ignore', pattern, 'a glob relative to cwd (`*.log`, `dist`, `src/generated/**`), not an absolute path');
    // Special elsewhere, literal here: refused rather than matching nothing the user meant.
    else if (/[[\]{}]|^!/.test(pattern)) c.fail('watch.ignore', pattern, 'a glob of `*`, `?` and `**` only: `[…]`, `{…}` and a leading `!` are not taken');
  }
  return {
    paths,
    roots: paths.map((p) => path.resolve(dirs.cwd, p)),
    cwd: dirs.cwd,
    ignore,
    alwaysIgnored: [...WATCH_DEFAULTS.alwaysIgnored],
    excluded: [...new Set([dirs.logDir, dirs.runDir])],
    debounceMs: c.duration('watch.debounce', section.debounce, WATCH_DEFAULTS.debounceMs, L.debounce),
    maxDirs: WATCH_DEFAULTS.maxDirs,
  };
}

function stringList(c: OptionChecker, option: string, value: unknown, fallback: readonly string[], bounds: { min: number; max: number; length: number }, what: string): string[] {
  if (value === undefined) return [...fallback];
  const fits = (item: unknown) => typeof item === 'string' && item.length > 0 && item.length <= bounds.length && !item.includes('\0');
  if (Array.isArray(value) && value.length >= bounds.min && value.length <= bounds.max && value.every(fits)) return [...(value as string[])];
  c.fail(option, value, `an array of ${bounds.min}-${bounds.max} ${what}, each 1-${bounds.length} characters`);
  return [...fallback];
}
