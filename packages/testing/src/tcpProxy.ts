import net from 'node:net';

export interface TcpProxy {
  port: number;
  url(target: string): string;
  /** Drops every open connection and refuses new ones, as a pulled cable would. */
  cut(): void;
  restore(): void;
  /** Holds everything the service sends back (its replies, confirms, heartbeats) until `releaseReplies`. */
  holdReplies(): void;
  releaseReplies(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a local service (RabbitMQ, Postgres) so fault
 * tests can cut and restore the link. Hand-written (about fifty lines) because the
 * usual tool, Toxiproxy, is a separate binary that cannot be downloaded here.
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const links = new Map<net.Socket, net.Socket>();
  let linked = true;
  let holding = false;
  const server = net.createServer((client) => {
    if (!linked) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    links.set(upstream, client);
    upstream.on('close', () => links.delete(upstream));
    client.pipe(upstream);
    if (!holding) upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    url(target) {
      const url = new URL(target);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    cut() {
      linked = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      linked = true;
    },
    holdReplies() {
      holding = true;
      for (const [upstream, client] of links) upstream.unpipe(client);
    },
    releaseReplies() {
      holding = false;
      for (const [upstream, client] of links) upstream.pipe(client);
    },
    async close() {
      linked = false;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
