import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, startFixture } from './helpers/child.js';

afterEach(killAll);

/*
 * refuseNew (the default): after the readiness delay, a listener the process bound itself stays
 * open while requests are in flight, and what arrives on a new connection is answered 503 (HTTP/2:
 * refused) without reaching the app; once nothing is in flight the listener closes and new
 * connections are refused by the kernel.
 */

interface Answer {
  status?: number;
  headers?: http.IncomingHttpHeaders;
  body?: string;
  code?: string;
}

function request(port: number, options: { path: string; method?: string; body?: string; headers?: http.OutgoingHttpHeaders }): Promise<Answer> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: options.path, method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
        res.on('error', (error: NodeJS.ErrnoException) => resolve({ code: error.code }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ code: error.code }));
    req.end(options.body);
  });
}

/** Sends an upgrade request on a raw socket and returns the first line the server wrote (or the error). */
function upgrade(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write('GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text.split('\r\n')[0] ?? ''));
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

describe('refusing new connections while requests are in flight', () => {
  it('HTTP/1: 503 with Retry-After and Connection: close for GET, POST and upgrade, the app never sees them; then the listener closes and exits 0', async () => {
    const child = startFixture('server.mjs', { timeoutMs: 10_000 });
    const { port } = await child.waitFor((e) => e.event === 'ready');
    const slow = request(port, { path: '/work?id=slow&ms=1500' });
    await child.waitFor((e) => e.event === 'start' && e.id === 'slow', 'the slow request');
    child.signal('SIGTERM');
    await child.waitFor((e) => e.event === 'phase' && e.phase === 'closing', 'closing');

    const get = await request(port, { path: '/work?id=late-get' });
    expect(get).toMatchObject({ status: 503, headers: { 'retry-after': '1', connection: 'close' } });
    expect(get.body).toMatch(/shutting down/);
    const post = await request(port, { path: '/work?id=late-post', method: 'POST', body: 'x'.repeat(200_000) });
    expect(post).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
    expect(await upgrade(port)).toBe('HTTP/1.1 503 Service Unavailable');

    expect(await slow).toMatchObject({ status: 200, body: 'ok:slow', headers: { connection: 'close' } });
    // Nothing in flight any more: the listener closes, and the kernel refuses.
    let after: Answer = {};
    for (const deadline = Date.now() + 5_000; after.code !== 'ECONNREFUSED' && Date.now() < deadline; ) {
      after = await request(port, { path: '/work?id=after' });
    }
    expect(after.code).toBe('ECONNREFUSED');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.events.filter((e) => e.event === 'start').map((e) => e.id)).toEqual(['slow']);
    const stopped = child.events.find((e) => e.event === 'phase' && e.phase === 'stopped');
    expect(stopped?.data).toMatchObject({ clean: true });
    // GET, POST and upgrade, plus any request the loop above sent before the close.
    expect(stopped?.data.refused).toBeGreaterThanOrEqual(3);
  });

  it('HTTP/2: a session that comes while refusing gets GOAWAY and its stream is refused, which a client may retry; the open stream finishes', async () => {
    const child = startFixture('server.mjs', { kind: 'http2', timeoutMs: 10_000 });
    const { port } = await child.waitFor((e) => e.event === 'ready');
    const first = http2.connect(`http://127.0.0.1:${port}`);
    first.on('error', () => undefined);
    const slow = new Promise<string>((resolve, reject) => {
      const stream = first.request({ ':path': '/work?id=slow&ms=1500' });
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (body += chunk));
      stream.on('end', () => resolve(body));
      stream.on('error', reject);
    });
    await child.waitFor((e) => e.event === 'start' && e.id === 'slow', 'the slow stream');
    child.signal('SIGTERM');
    await child.waitFor((e) => e.event === 'phase' && e.phase === 'closing', 'closing');

    const second = http2.connect(`http://127.0.0.1:${port}`);
    second.on('error', () => undefined);
    const late = await new Promise<{ rstCode?: number; code?: string; status?: number }>((resolve) => {
      const stream = second.request({ ':path': '/work?id=late' });
      stream.on('response', (headers) => resolve({ status: Number(headers[':status']) }));
      stream.on('close', () => resolve({ rstCode: stream.rstCode }));
      stream.on('error', (error: NodeJS.ErrnoException) => resolve({ code: error.code, rstCode: stream.rstCode }));
    });
        // Never answered: the session's GOAWAY (last stream 0) came first, and Node's client cancels
    // the stream it had opened (or, had the stream come first, REFUSED_STREAM).
    expect(late.status).toBeUndefined();
    expect(late.code === 'ERR_HTTP2_STREAM_CANCEL' || late.code === 'ERR_HTTP2_GOAWAY_SESSION' || late.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM).toBe(true);
    second.close();

    expect(await slow).toBe('ok:slow');
    first.close();
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.events.some((e) => e.event === 'start' && e.id === 'late')).toBe(false);
  });

  it('refuseNew: false keeps the earlier behaviour: the backlog is shrunk and a new connection is still served (Connection: close), not refused', async () => {
    const child = startFixture('server.mjs', { timeoutMs: 10_000, refuseNew: false });
    const { port } = await child.waitFor((e) => e.event === 'ready');
    const slow = request(port, { path: '/work?id=slow&ms=1500' });
    await child.waitFor((e) => e.event === 'start' && e.id === 'slow', 'the slow request');
    child.signal('SIGTERM');
    await child.waitFor((e) => e.event === 'phase' && e.phase === 'closing', 'closing');
    expect(await request(port, { path: '/work?id=late' })).toMatchObject({ status: 200, body: 'ok:late', headers: { connection: 'close' } });
    expect(await slow).toMatchObject({ status: 200, body: 'ok:slow' });
    expect(await child.exited).toEqual({ code: 0, signal: null });
    const stopped = child.events.find((e) => e.event === 'phase' && e.phase === 'stopped');
    expect(stopped?.data.refused).toBe(0);
  });
});
