import type { Socket } from 'node:net';

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
