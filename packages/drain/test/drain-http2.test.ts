import http2 from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, startFixture } from './helpers/child.js';

afterEach(killAll);

describe('HTTP/2', () => {
  it('sends GOAWAY, lets the open streams finish, then exits cleanly', async () => {
    const child = startFixture('server.mjs', { kind: 'http2', timeoutMs: 10_000 });
    const { port } = await child.waitFor((e) => e.event === 'ready');
    const client = http2.connect(`http://127.0.0.1:${port}`);
    client.on('error', () => undefined);
    const goaway = new Promise<number>((resolve) => client.once('goaway', (code) => resolve(code)));
    const streams = ['a', 'b', 'c'].map(
      (id) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const stream = client.request({ ':path': `/work?id=${id}&ms=800` });
          let status = 0;
          let body = '';
          stream.setEncoding('utf8');
          stream.on('response', (headers) => (status = Number(headers[':status'])));
          stream.on('data', (chunk: string) => (body += chunk));
          stream.on('end', () => resolve({ status, body }));
          stream.on('error', reject);
        }),
    );
    await child.waitFor(() => child.events.filter((e) => e.event === 'start').length === 3, 'three streams');
    child.signal('SIGTERM');
    expect(await goaway).toBe(http2.constants.NGHTTP2_NO_ERROR);
    // After GOAWAY the session takes no new stream.
    const late = await new Promise<string>((resolve) => {
      try {
        const stream = client.request({ ':path': '/work?id=late' });
        stream.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
        stream.on('response', () => resolve('answered'));
      } catch (error) {
        resolve((error as NodeJS.ErrnoException).code ?? 'error');
      }
    });
    expect(late).toBe('ERR_HTTP2_GOAWAY_SESSION');
    expect(await Promise.all(streams)).toEqual([
      { status: 200, body: 'ok:a' },
      { status: 200, body: 'ok:b' },
      { status: 200, body: 'ok:c' },
    ]);
    client.close();
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.events.some((e) => e.event === 'start' && e.id === 'late')).toBe(false);
  });
});
