/** systemd's vocabulary, which the svc notify socket and IPC messages share (docs/protocol.md). */
export type NotifyLine = 'READY=1' | 'WATCHDOG=1' | 'STOPPING=1' | `STATUS=${string}`;

/** One way of reaching the supervisor. `send` resolves once the line has been handed over. */
export interface Notifier {
  readonly via: 'ipc' | 'socket' | 'systemd' | 'none';
  send(line: NotifyLine): Promise<void>;
  close(): void;
}

/** Status text goes on one line of at most this many bytes (the notify socket closes on longer lines). */
export const MAX_STATUS_LENGTH = 1024;

export function statusLine(text: string): NotifyLine {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const flat = String(text).replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return `STATUS=${flat.slice(0, MAX_STATUS_LENGTH)}`;
}

export const noopNotifier: Notifier = {
  via: 'none',
  send: () => Promise.resolve(),
  close: () => undefined,
};
