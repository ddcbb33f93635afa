/**
 * A TCP proxy for tests: forwards bytes between clients and an upstream `host:port`, and can
 * freeze: every connection open at that moment stops forwarding in both directions while both
 * sockets stay open (a half-open connection, as a NAT or load balancer that lost its state makes).
 * Connections opened after a freeze forward normally.
 */
import net from 'node:net';

export interface TcpProxy {
  readonly port: number;
  readonly endpoint: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Stop forwarding on every open connection, without closing anything. Returns how many. */
  freeze(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(upstreamHost: string, upstreamPort: number): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; frozen: boolean }>();
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect(upstreamPort, upstreamHost);
    const pair = { client, upstream, frozen: false };
    pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) => {
      from.on('data', (chunk: Buffer) => {
        // A frozen connection swallows what arrives: nothing goes through, nothing is closed.
        if (!pair.frozen && !to.destroyed) to.write(chunk);
      });
    };
    forward(client, upstream);
    forward(upstream, client);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', () => {
      if (!pair.frozen) drop();
    });
    upstream.on('close', () => {
      if (!pair.frozen) drop();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    endpoint: `127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    freeze() {
      let n = 0;
      for (const p of pairs) {
        if (!p.frozen) n++;
        p.frozen = true;
      }
      return n;
    },
    async close() {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
