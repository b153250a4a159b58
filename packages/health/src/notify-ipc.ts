import { NotifyError } from './errors.js';
import type { Notifier, NotifyLine } from './notifier.js';

type IpcMessage = { svc: 'ready' } | { svc: 'watchdog' } | { svc: 'stopping' } | { svc: 'status'; text: string };

function toMessage(line: NotifyLine): IpcMessage {
  if (line === 'READY=1') return { svc: 'ready' };
  if (line === 'WATCHDOG=1') return { svc: 'watchdog' };
  if (line === 'STOPPING=1') return { svc: 'stopping' };
  return { svc: 'status', text: line.slice('STATUS='.length) };
}

/**
 * Node children of the svc supervisor: one message per line over the IPC channel. It adds no
 * 'message' listener, so the channel stays unref'd and does not keep the process alive.
 */
export type IpcSend = (message: IpcMessage, sendHandle: undefined, options: object, callback: (error: Error | null) => void) => boolean;

export function createIpcNotifier(send: IpcSend): Notifier {
  return {
    via: 'ipc',
    send(line) {
      return new Promise((resolve, reject) => {
        // With a callback, a closed channel is reported here instead of as an 'error' event that
        // would crash a process without a listener.
        send(toMessage(line), undefined, {}, (error) => {
          if (error) reject(new NotifyError('ipc', line, error.message, error));
          else resolve();
        });
      });
    },
    close: () => undefined,
  };
}
