import type { DaemonConnection, DaemonRow } from '@svc/supervisor/client';
import { DEFAULTS } from '@svc/supervisor/definition';
import { connect } from '../daemon.js';
import type { DaemonEvent } from './model.js';

/*
 * Where the view's data comes from: one connection to the daemon, with one `events` subscription
 * (every event of every project, handed on as it comes: a crash shows at once) and one `status`
 * call per tick for the numbers (the daemon samples CPU and memory when asked, at most once per
 * its sample interval). An event can ask for a `status` at once (`refresh`), for what it does
 * not say itself. When the daemon goes away (it exits once it supervises nothing), the feed says
 * so and connects again as soon as one serves; it never starts one itself.
 */

/**
 * How often `status` is asked for the numbers — as often as the daemon samples them (its
 * `limits.sampleInterval`): asking more often returns the same numbers and costs the daemon its
 * answer — and how often a daemon that is not there is looked for.
 */
export const FEED_TIMING = { tickMs: DEFAULTS.limits.sampleIntervalMs, retryMs: 1_000 } as const;

export interface FeedHandlers {
  /** `sample`: a tick's rows (their numbers make the history), not a refresh. */
  onRows(rows: DaemonRow[], sample: boolean): void;
  onEvent(event: DaemonEvent): void;
  onConnected(connection: DaemonConnection): void;
  /** No daemon runs (at first, or it went away). */
  onGone(): void;
  /** A call that failed other than by the daemon going away (shown, and tried again next tick). */
  onProblem(error: unknown): void;
}

export interface Feed {
  readonly connection: DaemonConnection | null;
  /** Asks for `status` now (calls that overlap are folded into one more). */
  refresh(): void;
  close(): Promise<void>;
}

export function startFeed(first: DaemonConnection | null, handlers: FeedHandlers): Feed {
  let connection: DaemonConnection | null = null;
  let closed = false;
  let tick: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let refreshing = false;
  let again = false;

  const later = () => {
    clearTimeout(retry);
    if (!closed) retry = setTimeout(() => void attach(null), FEED_TIMING.retryMs);
  };

  const lost = (c: DaemonConnection) => {
    if (connection !== c) return;
    connection = null;
    clearInterval(tick);
    if (closed) return;
    handlers.onGone();
    later();
  };

  const poll = async (sample: boolean) => {
    const c = connection;
    if (!c) return;
    try {
      handlers.onRows(await c.client.call('status', {}), sample);
    } catch (error) {
      // The daemon going away is told by its connection closing (`lost`), not as a problem.
      if (connection === c && (error as { code?: string }).code !== 'EIPC_CLOSED') handlers.onProblem(error);
    }
  };

  async function attach(given: DaemonConnection | null): Promise<void> {
    let c: DaemonConnection | null;
    try {
      c = given ?? (await connect());
    } catch (error) {
      handlers.onProblem(error);
      later();
      return;
    }
    if (c === null) {
      handlers.onGone();
      later();
      return;
    }
    if (closed) {
      await c.close();
      return;
    }
    connection = c;
    void c.client.closed.then(() => lost(c));
    try {
      await c.client.subscribe('events', {}, (event) => handlers.onEvent(event));
    } catch (error) {
      if ((error as { code?: string }).code !== 'EIPC_CLOSED') handlers.onProblem(error);
      await c.close();
      return;
    }
    handlers.onConnected(c);
    await poll(true);
    if (connection === c) tick = setInterval(() => void poll(true), FEED_TIMING.tickMs);
  }

  void attach(first);

  return {
    get connection() {
      return connection;
    },
    refresh() {
      if (refreshing) {
        again = true;
        return;
      }
      refreshing = true;
      void (async () => {
        do {
          again = false;
          await poll(false);
        } while (again && !closed);
        refreshing = false;
      })();
    },
    async close() {
      closed = true;
      clearInterval(tick);
      clearTimeout(retry);
      const c = connection;
      connection = null;
      await c?.close();
    },
  };
}
