import { SERVICE_DEFAULTS } from '@svc/supervisor/definition';
import { durationText, pm2Millis, shownValue } from './pm2-values.js';
import type { ServiceDraft } from './service-draft.js';

/*
 * PM2's watch and cron keys onto svc's `watch` and `restart.schedule`. PM2 watches with chokidar
 * (`watch: true` is the app's cwd, a list is paths from there, `ignore_watch` replaces its default
 * of dot files and node_modules, `watch_delay` waits before the restart) and restarts with croner
 * (`cron_restart`), which svc uses too. A value svc's rules refuse (a 7-field cron, a glob with
 * `{…}`) is taken out again and reported by the import's own validation (import-pm2.ts).
 */

/** A PM2 key as the app gave it: the name it was written under (an alias, perhaps), and its value. */
interface Taken {
  written: string;
  value: unknown;
}

/** A string or a list of strings, as PM2 takes `watch` and `ignore_watch`; null when neither. */
function stringsOf(value: unknown): string[] | null {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.filter((v) => v !== '');
  return null;
}

/** watch, ignore_watch, watch_delay → watch. */
export function mapWatch(draft: ServiceDraft, taken: { watch?: Taken | undefined; ignore?: Taken | undefined; delay?: Taken | undefined }): void {
  const { watch, ignore, delay } = taken;
  const off = !watch || watch.value === false || watch.value === null || watch.value === 0 || watch.value === '0';
  // Without a watch, what to ignore and how long to wait ask for nothing.
  if (off) return;
  const paths = watch.value === true ? [] : stringsOf(watch.value);
  if (paths === null) {
    draft.skip(watch.written, `expected true, a path or a list of paths (got ${shownValue(watch.value)})`);
    return;
  }
  // PM2's empty list is its cwd, as `true` is.
  draft.set(['watch', 'paths'], paths.length > 0 ? paths : ['.'], [watch.written]);
  if (ignore) {
    // What svc never watches anyway (node_modules, .git) needs no pattern.
    const patterns = stringsOf(ignore.value)?.filter((p) => !SERVICE_DEFAULTS.watch.alwaysIgnored.includes(p.replace(/^\.\//, '').replace(/\/+$/, ''))) ?? null;
    if (patterns === null) draft.skip(ignore.written, `expected a list of paths or globs (got ${shownValue(ignore.value)})`);
    else if (patterns.length > 0) draft.set(['watch', 'ignore'], patterns, [ignore.written]);
  }
  if (delay) {
    const ms = pm2Millis(delay.value);
    if (ms === null) draft.skip(delay.written, `expected a number of milliseconds (got ${shownValue(delay.value)})`);
    else draft.set(['watch', 'debounce'], durationText(ms), [delay.written]);
  }
  draft.note(
    'watch → watch: one restart once the files have been quiet for watch.debounce (a reload with listen); node_modules and .git are never watched; an installed service (svc install) watches only with --watch',
  );
}

/** cron_restart → restart.schedule. */
export function mapCronRestart(draft: ServiceDraft, cron: Taken | undefined): void {
  // PM2's way to say none: 0 or '0' (or nothing).
  if (!cron || cron.value === 0 || cron.value === '0' || cron.value === '' || cron.value === false || cron.value === null) return;
  if (typeof cron.value !== 'string') {
    draft.skip(cron.written, `expected a cron expression (got ${shownValue(cron.value)})`);
    return;
  }
  draft.set(['restart', 'schedule'], cron.value.trim(), [cron.written]);
  draft.note(`${cron.written} → restart.schedule: a graceful restart at ${cron.value.trim()} (a reload with listen), in the daemon's local time (restart.timeZone names another)`);
}
