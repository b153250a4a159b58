import type { WatchedPath } from './watch-ignore.js';
import type { ResolvedWatch } from './watch-options.js';
import { WatchTree, type TreeEvents } from './watch-tree.js';

export interface FileWatchEvents extends Omit<TreeEvents, 'changed'> {
  /**
   * A burst of changes is over (none came for `debounceMs`): the first path changed, and how many
   * paths changed in it (counted up to MAX_BURST_PATHS: a count at that bound means "at least").
   */
  settled(first: WatchedPath, paths: number): void;
}

/** The distinct paths a burst counts, at most: its memory stays bounded however long it lasts. */
export const MAX_BURST_PATHS = 1000;

export interface FileWatch {
  /** Resolves once the paths present at the start are watched (or found missing, or the cap reached). */
  readonly ready: Promise<void>;
  /** Directories watched now. */
  readonly dirs: number;
  readonly isCapped: boolean;
  /** Stops watching; a burst not yet settled is dropped. */
  close(): void;
}

/**
 * Watches a service's files (watch-tree.ts) and turns each burst of changes into one call: a
 * `git checkout` touching 500 files is one `settled` once the tree has been quiet for
 * `debounceMs`. A burst keeps its first path and the paths it counts, nothing more.
 */
export function createFileWatch(options: ResolvedWatch, events: FileWatchEvents): FileWatch {
  let first: WatchedPath | null = null;
  const paths = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  const settle = () => {
    const burst = first;
    const count = paths.size;
    first = null;
    paths.clear();
    timer = null;
    if (burst) events.settled(burst, count);
  };
  const tree = new WatchTree(options, {
    changed: (target) => {
      first ??= target;
      if (paths.size < MAX_BURST_PATHS) paths.add(target.relative);
      // Each change pushes the end of the burst back: one timer, re-armed.
      if (timer) timer.refresh();
      else timer = setTimeout(settle, options.debounceMs).unref();
    },
    capped: (skipped, maxDirs) => events.capped(skipped, maxDirs),
    failed: (target, error) => events.failed(target, error),
  });
  return {
    ready: tree.ready,
    get dirs() {
      return tree.dirs;
    },
    get isCapped() {
      return tree.isCapped;
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = null;
      first = null;
      paths.clear();
      tree.close();
    },
  };
}
