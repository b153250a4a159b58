import type { DrainLogger } from './logger.js';

/** Messages of the child ↔ supervisor protocol that drain speaks (docs/protocol.md). */
export type SupervisorMessage = { svc: 'shutdown' } | { svc: 'listen' };

export function isSupervisorMessage<K extends SupervisorMessage['svc']>(message: unknown, kind: K): message is { svc: K } {
  return typeof message === 'object' && message !== null && (message as { svc?: unknown }).svc === kind;
}

/** True when the process runs under the svc supervisor with an IPC channel to it. */
export function hasSupervisorChannel(env: NodeJS.ProcessEnv): boolean {
  return env.SVC_NOTIFY === 'ipc' && typeof process.send === 'function';
}

export interface SupervisorChannel {
  /** Tells the supervisor the shutdown has begun (STOPPING=1). */
  notifyStopping(): void;
  remove(): void;
}

/**
 * Listens for `{ svc: 'shutdown' }`, the way a supervisor asks a Node child to stop where signals
 * do not exist (Windows). Anything else on the channel belongs to someone else and is left alone.
 * While the listener is installed the IPC channel keeps the event loop alive, as any `message`
 * listener does; `remove()` gives that back.
 */
export function listenToSupervisor(env: NodeJS.ProcessEnv, onShutdown: () => void, logger: DrainLogger): SupervisorChannel | undefined {
  if (!hasSupervisorChannel(env)) return undefined;
  const onMessage = (message: unknown): void => {
    if (isSupervisorMessage(message, 'shutdown')) onShutdown();
  };
  process.on('message', onMessage);
  return {
    notifyStopping() {
      if (!process.connected || process.send === undefined) return;
      process.send({ svc: 'stopping' }, undefined, {}, (error: Error | null) => {
        if (error) logger.warn('could not tell the supervisor that the shutdown began', { cause: error.message });
      });
    },
    remove() {
      process.removeListener('message', onMessage);
    },
  };
}
