import { watch, type FSWatcher } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ignoreRules, isIgnored, watchedPath, type IgnoreRules, type WatchedPath } from './watch-ignore.js';
import type { ResolvedWatch } from './watch-options.js';

export interface TreeEvents {
  /** Something changed at `target` (written, created, removed, renamed). */
  changed(target: WatchedPath): void;
  /** The tree has more directories than `maxDirs`: `skipped` is the first left unwatched. Said once. */
  capped(skipped: WatchedPath, maxDirs: number): void;
  /** A path could not be watched (missing, no permission, the system's limit of watches). */
  failed(target: WatchedPath, error: NodeJS.ErrnoException): void;
}

interface Watched {
  watcher: FSWatcher;
  /** The watched path it is under: names are ignored from there down (watch-ignore.ts). */
  root: string;
  /** Only these names in it (a file asked for by name, watched through its directory); null: all. */
  only: Set<string> | null;
}

/** No more watches to be had: the system's limit (inotify's max_user_watches) or descriptors. */
const EXHAUSTED = new Set(['ENOSPC', 'EMFILE', 'ENFILE']);

/*
 * One non-recursive fs.watch per directory, added by walking the tree, rather than fs.watch's
 * `recursive`: on Linux that walks and watches every directory too (inotify has no recursion),
 * but it cannot leave node_modules or .git out, nor stop at a bound. Here an ignored directory is
 * never walked, and at most `maxDirs` are watched: past that, `capped` says which was left out.
 * A directory created later is walked and watched as it appears; one removed is forgotten. A file
 * asked for by name is watched through its directory (editors replace a file on save, which
 * would end a watch of the file itself). Symbolic links are not followed (no cycles). Every
 * watcher is `persistent: false`: a watch alone never keeps a process alive.
 */
export class WatchTree {
  readonly ready: Promise<void>;
  readonly #dirs = new Map<string, Watched>();
  readonly #rules: IgnoreRules;
  #capped = false;
  /** The system has no more watches to give: nothing more is asked of it. */
  #exhausted = false;
  #closed = false;

  constructor(
    private readonly options: Pick<ResolvedWatch, 'roots' | 'cwd' | 'ignore' | 'alwaysIgnored' | 'excluded' | 'maxDirs'>,
    private readonly events: TreeEvents,
  ) {
    this.#rules = ignoreRules(options.ignore, options.alwaysIgnored, options.excluded);
    this.ready = this.#addRoots();
  }

  /** How many directories are watched. */
  get dirs(): number {
    return this.#dirs.size;
  }

  get isCapped(): boolean {
    return this.#capped;
  }

  close(): void {
    this.#closed = true;
    for (const { watcher } of this.#dirs.values()) watcher.close();
    this.#dirs.clear();
  }

  async #addRoots(): Promise<void> {
    for (const root of this.options.roots) {
      if (this.#closed) return;
      try {
        const info = await stat(root);
        if (info.isDirectory()) await this.#addTree(root, root);
        else this.#watchDir(path.dirname(root), root, path.basename(root));
      } catch (error) {
        this.events.failed(this.#path(root), error as NodeJS.ErrnoException);
      }
    }
  }

  /** Watches `dir` and the directories under it, breadth first; the queue never outgrows the cap. */
  async #addTree(dir: string, root: string): Promise<void> {
    const queue = [dir];
    while (queue.length > 0 && !this.#closed) {
      const next = queue.shift()!;
      if (!this.#watchDir(next, root, null)) return;
      let entries;
      try {
        entries = await readdir(next, { withFileTypes: true });
      } catch (error) {
        // Removed while it was walked: its parent's watch said so, and it is forgotten there.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.events.failed(this.#path(next), error as NodeJS.ErrnoException);
        continue;
      }
      for (const entry of entries) {
        const child = path.join(next, entry.name);
        if (!entry.isDirectory() || this.#dirs.has(child) || isIgnored(this.#rules, this.#path(child), root)) continue;
        if (this.#dirs.size + queue.length >= this.options.maxDirs) {
          // Full once those queued are watched: the rest of the tree is left out.
          this.#cap(child);
          break;
        }
        queue.push(child);
      }
    }
  }

  /** Starts watching `dir` (or widens its watch); false when it cannot be (the cap, the system's limit, closed). */
  #watchDir(dir: string, root: string, only: string | null): boolean {
    if (this.#closed) return false;
    const known = this.#dirs.get(dir);
    if (known) {
      if (only === null) known.only = null;
      else known.only?.add(only);
      return true;
    }
    if (this.#exhausted) return false;
    if (this.#dirs.size >= this.options.maxDirs) {
      this.#cap(dir);
      return false;
    }
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: false, encoding: 'utf8' }, (type, name) => this.#onEvent(dir, type, name));
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      this.events.failed(this.#path(dir), e);
      // Past the system's limit, every further watch fails the same way: stop asking.
      if (EXHAUSTED.has(e.code ?? '')) this.#exhausted = true;
      return false;
    }
    // A watched directory removed (or made unreadable) ends its watcher with an error on some
    // systems: it is forgotten; its parent's watch reports the change itself.
    watcher.on('error', () => this.#forget(dir));
    this.#dirs.set(dir, { watcher, root, only: only === null ? null : new Set([only]) });
    return true;
  }

  #onEvent(dir: string, type: string, name: string | null): void {
    const watched = this.#dirs.get(dir);
    if (this.#closed || !watched) return;
    if (watched.only && (name === null || !watched.only.has(name))) return;
    const target = this.#path(name === null ? dir : path.join(dir, name));
    if (isIgnored(this.#rules, target, watched.root)) return;
    this.events.changed(target);
    // A name that appeared or went: a new directory is watched, a removed one forgotten.
    if (type === 'rename' && name !== null && watched.only === null) void this.#renamed(target.absolute, watched.root);
  }

  async #renamed(target: string, root: string): Promise<void> {
    try {
      const info = await lstat(target);
      if (info.isDirectory() && !this.#dirs.has(target)) await this.#addTree(target, root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.#forget(target);
      else this.events.failed(this.#path(target), error as NodeJS.ErrnoException);
    }
  }

  /** Stops watching `dir` and every directory under it. */
  #forget(dir: string): void {
    for (const [watched, { watcher }] of this.#dirs) {
      if (watched === dir || watched.startsWith(`${dir}${path.sep}`)) {
        watcher.close();
        this.#dirs.delete(watched);
      }
    }
  }

  #cap(skipped: string): void {
    if (this.#capped) return;
    this.#capped = true;
    this.events.capped(this.#path(skipped), this.options.maxDirs);
  }

  #path(absolute: string): WatchedPath {
    return watchedPath(absolute, this.options.cwd);
  }
}
