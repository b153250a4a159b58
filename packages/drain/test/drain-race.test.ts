import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { createDrain } from '../src/index.js';

/**
 * The idle keep-alive race: a pooled client sends its next request on an idle connection at the
 * moment the server shuts down. Closing an idle connection can only lose a request the server has
 * not begun to read (safe to retry); a request it has begun to read must be answered.
 */
describe('idle keep-alive race', () => {
  it('never resets a request the server has started reading, over many jittered shutdowns', async () => {
    const rounds = 150;
    // Rounds run this many at a time, each with its own server and pool (a round mostly waits).
    const together = 10;
    const pool = 4;
    let served = 0;
    let resetUnseen = 0;
    const runRound = async (round: number): Promise<void> => {
      const seen = new Set<string>();
      const server = http.createServer((req, res) => {
        const id = String(req.headers['x-id']);
        seen.add(id);
        res.end(`ok:${id}`);
      });
      const drain = createDrain({ servers: [server], signals: [], exit: false, ipc: false, timeoutMs: 5_000 });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      const agent = new http.Agent({ keepAlive: true, maxSockets: pool });
      const send = (id: string) =>
        new Promise<{ id: string; ok: boolean; code?: string; reused: boolean }>((resolve) => {
          const req = http.get({ host: '127.0.0.1', port, agent, headers: { 'x-id': id } }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ id, ok: body === `ok:${id}`, reused: req.reusedSocket }));
            res.on('error', (error: NodeJS.ErrnoException) => resolve({ id, ok: false, code: error.code, reused: req.reusedSocket }));
          });
          req.on('error', (error: NodeJS.ErrnoException) => resolve({ id, ok: false, code: error.code, reused: req.reusedSocket }));
        });
      // Warm the pool: `pool` idle keep-alive connections.
      const warm = await Promise.all(Array.from({ length: pool }, (_, i) => send(`warm-${i}`)));
      expect(warm.every((r) => r.ok)).toBe(true);

      const jitter = () => new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 3));
      const stopping = jitter().then(() => drain.shutdown(`round ${round}`));
      const results = await Promise.all(Array.from({ length: pool }, (_, i) => jitter().then(() => send(`r${round}-${i}`))));
      const result = await stopping;
      agent.destroy();

      for (const r of results) {
        if (seen.has(r.id)) {
          // The server read it: it must have been answered in full.
          expect(r, `round ${round}: request ${r.id} was read by the server but not answered`).toMatchObject({ ok: true });
          served++;
        } else {
          // Never read: the client saw the connection closed or refused, which is safe to retry.
          expect(r.ok).toBe(false);
          expect(['ECONNRESET', 'EPIPE', 'ECONNREFUSED']).toContain(r.code);
          resetUnseen++;
        }
      }
      expect(result.clean).toBe(true);
    };
    for (let first = 0; first < rounds; first += together) {
      await Promise.all(Array.from({ length: Math.min(together, rounds - first) }, (_, i) => runRound(first + i)));
    }
    console.log(`race: ${served} requests read and answered, ${resetUnseen} unread requests lost to a closed connection, over ${rounds} rounds`);
    expect(served + resetUnseen).toBe(rounds * pool);
  });
});
