import net from 'node:net';

/**
 * A TCP proxy to a server that the test can cut, like a network partition: `cut()` stops
 * forwarding in both directions and drops what arrives, while every connection stays open (no
 * FIN, no RST: the client learns nothing until its own timeouts fire); new connections are
 * accepted and never answered. `close()` ends everything.
 */
export interface TcpProxy {
  port: number;
  /** `template` with its port replaced by the proxy's. */
  url(template: string): string;
  cut(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let isCut = false;
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket | null }>();
  const server = net.createServer((client) => {
    const pair = { client, upstream: null as net.Socket | null };
    pairs.add(pair);
    client.on('error', () => client.destroy());
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (isCut) {
      client.resume(); // a black hole: accepted, read, never answered
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    pair.upstream = upstream;
    upstream.on('error', () => upstream.destroy());
    upstream.on('close', () => {
      if (!isCut) client.destroy();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: (template) => template.replace(/:(\d+)(?=\/|$)/, `:${port}`),
    cut() {
      isCut = true;
      for (const { client, upstream } of pairs) {
        client.unpipe();
        upstream?.unpipe();
        client.resume();
        upstream?.resume();
      }
    },
    close() {
      isCut = true;
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream?.destroy();
      }
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
