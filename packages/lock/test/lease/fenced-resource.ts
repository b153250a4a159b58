import net from 'node:net';
import { createInterface } from 'node:readline';

/*
 * A fake fenced resource: what a lease holder protects. It accepts a write only if its fencing
 * token is at least the largest it has seen, and it records every request on the test's clock, so
 * "two holders at once" can be measured in one place. Requests are newline JSON, each answered
 * before the client sends the next:
 *   { op: 'write', token, who, forced?, checkedAt? }   a holder's write (forced: sent on purpose after
 *                                          `lost`; checkedAt: wall-clock ms of its isHeld check)
 *   { op: 'enter' | 'exit', token, who }    a holder's turn begins / ends (race test)
 */

export interface Attempt {
  who: string;
  token: bigint;
  atMs: number;
  /** Wall-clock ms (Date.now) at which the holder checked `isHeld` before this write, and when it arrived. */
  checkedAt: number | null;
  arrivedAt: number;
  accepted: boolean;
  forced: boolean;
}

export interface FencedResource {
  port: number;
  attempts: Attempt[];
  /** Enter/exit problems: an enter while another holder is inside, or a token not above the last. */
  turnViolations: string[];
  turns: number;
  /**
   * Writes whose holder checked `isHeld` after a newer holder had already written (not forced):
   * must be none. A write checked before and delivered after (the holder paused between its check
   * and its send) is the gap no client check can close: the fencing token refuses it, and
   * `accepted` says so.
   */
  overlaps(): Attempt[];
  /** Per token, the first and last write that arrived: the holders' active intervals, in token order. */
  intervals(): Array<{ token: bigint; who: string; fromMs: number; toMs: number; writes: number }>;
  close(): Promise<void>;
}

export async function startFencedResource(): Promise<FencedResource> {
  let highest = -1n;
  let lastEnter = -1n;
  let inside: string | null = null;
  const attempts: Attempt[] = [];
  const turnViolations: string[] = [];
  const sockets = new Set<net.Socket>();
  let turns = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    createInterface({ input: socket }).on('line', (line) => {
      const m = JSON.parse(line) as { op: string; token: string; who: string; forced?: boolean; checkedAt?: number };
      const token = BigInt(m.token);
      let ok = true;
      if (m.op === 'write') {
        ok = token >= highest;
        if (ok) highest = token;
        attempts.push({ who: m.who, token, atMs: performance.now(), checkedAt: m.checkedAt ?? null, arrivedAt: Date.now(), accepted: ok, forced: m.forced === true });
      } else if (m.op === 'enter') {
        turns++;
        if (inside !== null) turnViolations.push(`${m.who} (token ${token}) entered while ${inside} was inside`);
        if (token <= lastEnter) turnViolations.push(`${m.who} entered with token ${token}, not above the previous ${lastEnter}`);
        inside = `${m.who} (token ${token})`;
        lastEnter = token;
      } else if (m.op === 'exit') {
        if (inside !== `${m.who} (token ${token})`) turnViolations.push(`${m.who} (token ${token}) exited but ${inside ?? 'nobody'} was inside`);
        inside = null;
      }
      socket.write(`${JSON.stringify({ ok })}\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    attempts,
    turnViolations,
    get turns() {
      return turns;
    },
    overlaps() {
      const out: Attempt[] = [];
      let newest = -1n;
      let newestSince = 0;
      for (const a of attempts) {
        if (a.forced) continue;
        if (a.token < newest) {
          // Refused by the fence either way; an overlap only if it was checked after the newer write.
          if (a.checkedAt === null || a.checkedAt >= newestSince || a.accepted) out.push(a);
        }
        if (a.token > newest) {
          newest = a.token;
          newestSince = a.arrivedAt;
        }
      }
      return out;
    },
    intervals() {
      const byToken = new Map<bigint, { token: bigint; who: string; fromMs: number; toMs: number; writes: number }>();
      for (const a of attempts) {
        if (a.forced) continue;
        const i = byToken.get(a.token);
        if (i) {
          i.toMs = a.atMs;
          i.writes++;
        } else byToken.set(a.token, { token: a.token, who: a.who, fromMs: a.atMs, toMs: a.atMs, writes: 1 });
      }
      return [...byToken.values()].sort((x, y) => (x.token < y.token ? -1 : 1));
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
