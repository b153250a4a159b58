import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './guard.js';

/*
 * Server-sent events: one long response per stream, `event: <name>` + `data: <JSON>` per
 * message. The browser's EventSource connects again by itself (after `retry`) when a stream
 * ends, so the server ends a stream whenever what it follows ends (the daemon went away, the
 * service was stopped) and the page picks up what there is then. A browser that does not read
 * (a frozen tab) is dropped once MAX_BUFFERED_BYTES wait for it, rather than held in memory.
 */

export const SSE_LIMITS = {
  /** How long the browser waits before it connects again after a stream ended. */
  retryMs: 2_000,
  /** A comment this often keeps proxies and idle timers from closing a quiet stream. */
  keepAliveMs: 15_000,
  maxBufferedBytes: 1024 * 1024,
} as const;

export interface SseStream {
  send(event: string, data: unknown): void;
  /** Ends the stream (the browser connects again after `retryMs`). */
  end(): void;
  /** Called once, when the stream ended from either side. */
  onClose(listener: () => void): void;
  readonly closed: boolean;
}

export function openSse(req: IncomingMessage, res: ServerResponse): SseStream {
  let closed = false;
  const listeners: Array<() => void> = [];
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  res.write(`retry: ${SSE_LIMITS.retryMs}\n\n`);
  const keepAlive = setInterval(() => write(': keep-alive\n\n'), SSE_LIMITS.keepAliveMs);
  keepAlive.unref();

  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepAlive);
    for (const listener of listeners.splice(0)) listener();
  };
  req.once('close', close);
  res.once('close', close);

  function write(text: string): void {
    if (closed) return;
    if (res.writableLength > SSE_LIMITS.maxBufferedBytes) {
      res.destroy();
      return;
    }
    res.write(text);
  }

  return {
    send(event, data) {
      // JSON has no raw newlines, so one `data:` line always holds the message whole.
      write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      if (!closed) res.end();
      close();
    },
    onClose(listener) {
      if (closed) listener();
      else listeners.push(listener);
    },
    get closed() {
      return closed;
    },
  };
}
