import type { IncomingMessage } from 'node:http';
import type { Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';

export interface UpgradedSockets {
  /** Sockets taken over by an `upgrade` listener (WebSocket, …) and still open. */
  readonly open: ReadonlyMap<Duplex, IncomingMessage>;
  /** Called with each socket upgraded from now on. */
  onUpgrade(listener: (socket: Duplex, request: IncomingMessage) => void): void;
  uninstall(): void;
}

/**
 * Tracks sockets upgraded away from HTTP. Node answers an upgrade request as a plain request when
 * no `upgrade` listener exists, so a listener of ours must never be the only one: ours is added
 * when the application adds its first (a WebSocket library, often after createDrain()) and removed
 * with its last.
 */
export function trackUpgradedSockets(server: NetServer): UpgradedSockets {
  const open = new Map<Duplex, IncomingMessage>();
  let listener: ((socket: Duplex, request: IncomingMessage) => void) | undefined;
  let attached = false;

  const onUpgrade = (request: IncomingMessage, socket: Duplex): void => {
    open.set(socket, request);
    socket.once('close', () => open.delete(socket));
    listener?.(socket, request);
  };
  const attach = (): void => {
    if (attached) return;
    attached = true;
    server.prependListener('upgrade', onUpgrade);
  };
  const detach = (): void => {
    if (!attached) return;
    attached = false;
    server.removeListener('upgrade', onUpgrade);
  };
  const onNewListener = (event: string | symbol, added: unknown): void => {
    if (event === 'upgrade' && added !== onUpgrade) attach();
  };
  const onRemoveListener = (event: string | symbol, removed: unknown): void => {
    if (event === 'upgrade' && removed !== onUpgrade && attached && server.listenerCount('upgrade') === 1) detach();
  };

  if (server.listenerCount('upgrade') > 0) attach();
  server.on('newListener', onNewListener);
  server.on('removeListener', onRemoveListener);

  return {
    open,
    onUpgrade(next) {
      listener = next;
    },
    uninstall() {
      server.removeListener('newListener', onNewListener);
      server.removeListener('removeListener', onRemoveListener);
      detach();
    },
  };
}
