// The soak run's arithmetic: a least-squares slope, and the check of numbered log lines read back.

/** Least-squares slope of y over x (same units as given); NaN with fewer than 2 points. */
export function slope(points) {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

/**
 * Lines "L <pid> <n> …" as a follower reads them: per writer pid, each number must be the one after
 * the last. A jump counts the numbers skipped as lost; a number at or below the last one read is a
 * duplicate (or out of order). The first few of each are kept, with the time they were seen.
 */
export function lineChecker({ keep = 20 } = {}) {
  const writers = new Map();
  const state = { read: 0, lost: 0, duplicated: 0, other: 0, missedWhileCut: 0, toldSkipped: 0, gaps: [], duplicates: [] };
  // A follower that falls behind is told how many lines were left out ("N lines not shown", on
  // stderr, so it may come before or after the jump on stdout): a jump and a notice of the same
  // size cancel, whichever comes first. What is left unmatched at the end is lost, or a wrong count.
  const pendingGaps = [];
  const pendingNotices = [];
  return {
    state,
    writers,
    accept(text, atMs) {
      const match = /^L (\d+) (\d+) /.exec(text);
      if (!match) {
        state.other++;
        return;
      }
      const pid = Number(match[1]);
      const n = Number(match[2]);
      state.read++;
      // A writer's first line is 1: the follower was connected before the logger began.
      const w = writers.get(pid) ?? { first: n, last: 0 };
      writers.set(pid, w);
      const resyncing = w.resync;
      w.resync = false;
      if (n === w.last + 1) w.last = n;
      else if (resyncing && n > w.last + 1) {
        // The first line of a new follower after one was cut off: what it did not see is the cut's.
        state.missedWhileCut += n - w.last - 1;
        w.last = n;
      } else if (n > w.last + 1) {
        const size = n - w.last - 1;
        const told = pendingNotices.indexOf(size);
        if (told >= 0) {
          pendingNotices.splice(told, 1);
          state.toldSkipped += size;
        } else {
          state.lost += size;
          pendingGaps.push(size);
          if (state.gaps.length < keep) state.gaps.push({ pid, after: w.last, next: n, atMs });
        }
        w.last = n;
      } else {
        state.duplicated++;
        if (state.duplicates.length < keep) state.duplicates.push({ pid, n, last: w.last, atMs });
      }
    },
    /** The follower said `count` lines were not shown. */
    told(count) {
      const gap = pendingGaps.indexOf(count);
      if (gap >= 0) {
        pendingGaps.splice(gap, 1);
        state.lost -= count;
        state.toldSkipped += count;
      } else pendingNotices.push(count);
    },
    /** Notices no jump matched (yet): a count that disagrees with what was left out. */
    unmatchedNotices: () => [...pendingNotices],
    /** A new follower replaces one that was cut off: the next jump of each writer is not a loss. */
    resync() {
      for (const w of writers.values()) w.resync = true;
    },
    /** The highest number read from `pid` (0 when none). */
    lastOf: (pid) => writers.get(pid)?.last ?? 0,
  };
}
