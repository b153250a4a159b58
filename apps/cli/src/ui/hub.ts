import type { DaemonConnection } from '@svc/supervisor/client';
import { startFeed } from '../monit/feed.js';
import { ServiceList, type DaemonEvent } from '../monit/model.js';
import { pictureOf, type Picture } from './picture.js';

/*
 * One feed for every open page: `svc monit`'s daemon connection (feed.ts: an `events`
 * subscription and a `status` call a second, reconnecting when a daemon serves again) folded into
 * one ServiceList, and handed to each browser stream. However many tabs are open, the daemon sees
 * one client. A burst of events is one picture (at most every EVENT_PICTURE_MS); the per-second
 * ticks are `sample`s, the points of the charts.
 */

/** A burst of events (a restart is several) is sent as one picture after this long. */
const EVENT_PICTURE_MS = 50;

export type HubMessage = { type: 'rows'; picture: Picture; sample: boolean } | { type: 'event'; event: DaemonEvent };

export interface Hub {
  readonly list: ServiceList;
  /** The daemon's connection while one serves. */
  readonly connection: DaemonConnection | null;
  picture(): Picture;
  /** Every message from now on, until the returned function is called. */
  subscribe(listener: (message: HubMessage) => void): () => void;
  /** Asks the daemon for `status` now (after an action). */
  refresh(): void;
  close(): Promise<void>;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

export function createHub(first: DaemonConnection | null): Hub {
  const list = new ServiceList();
  const listeners = new Set<(message: HubMessage) => void>();
  let daemon: Picture['daemon'] = null;
  let problem: string | null = null;
  let eventTimer: NodeJS.Timeout | undefined;

  const picture = () => pictureOf(list, daemon, problem);
  const send = (message: HubMessage) => {
    for (const listener of listeners) listener(message);
  };
  const sendRows = (sample: boolean) => {
    clearTimeout(eventTimer);
    eventTimer = undefined;
    send({ type: 'rows', picture: picture(), sample });
  };

  const feed = startFeed(first, {
    onConnected(connection) {
      daemon = { pid: connection.hello.pid, version: connection.hello.version };
      sendRows(false);
    },
    onRows(rows, sample) {
      list.applyStatus(rows, sample);
      problem = null;
      sendRows(sample);
    },
    onEvent(event) {
      // An event the list cannot place, or one that changes what `status` says: ask for it now.
      if (!list.applyEvent(event) || event.type === 'state' || event.type === 'exited') feed.refresh();
      send({ type: 'event', event });
      eventTimer ??= setTimeout(() => sendRows(false), EVENT_PICTURE_MS);
    },
    onGone() {
      daemon = null;
      list.daemonGone();
      sendRows(false);
    },
    onProblem(error) {
      problem = messageOf(error);
      sendRows(false);
    },
  });

  return {
    list,
    get connection() {
      return feed.connection;
    },
    picture,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh: () => feed.refresh(),
    async close() {
      clearTimeout(eventTimer);
      listeners.clear();
      await feed.close();
    },
  };
}
