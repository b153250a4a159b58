/**
 * Blocks the main thread for good, the way a synchronous infinite loop would, but asleep rather
 * than burning a core: Atomics.wait on a cell nobody will ever notify. Timers, sockets, signal
 * handlers and the heartbeat all stop; only SIGKILL (or a signal's default action) ends it.
 */
export function blockEventLoopForever(): never {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(cell, 0, 0);
}
