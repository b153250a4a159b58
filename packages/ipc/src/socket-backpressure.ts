import type { Socket } from 'node:net';

/**
 * What a subscription may ask of its connection's output (IpcSubscriptionContext): `writable()`
 * resolves once less than half of `maxWriteBufferBytes` is unsent (or the connection closed),
 * `congested()` says whether more is.
 */
export function outputPressure(socket: Socket, maxWriteBufferBytes: number, isClosed: () => boolean): { writable(): Promise<void>; congested(): boolean } {
  const half = maxWriteBufferBytes / 2;
  return {
    writable: () => (isClosed() ? Promise.resolve() : belowWriteLimit(socket, half)),
    congested: () => socket.writableLength > half,
  };
}

/**
 * Resolves once `socket` has at most `limit` bytes of unsent output — at once when it has — or
 * once it closed: what a stream larger than the write buffer awaits between its events.
 */
export function belowWriteLimit(socket: Socket, limit: number): Promise<void> {
  if (socket.destroyed || socket.writableLength <= limit) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
