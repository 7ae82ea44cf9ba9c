import net from 'node:net';

export interface RoundRobinProxy {
  port: number;
  /** `http://127.0.0.1:<port><path>`: the one address that stands for every backend. */
  url(path?: string): string;
  /** Connections handed to each backend so far, in the order of the ports given. */
  connections(): number[];
  close(): Promise<void>;
}

/**
 * A TCP load balancer on 127.0.0.1 in front of several replicas of one service, as a
 * Kubernetes Service or a cloud load balancer stands in front of pods: each new connection
 * goes to the next backend in turn, skipping one that refuses it (a replica that is down or
 * restarting), so a client with keep-alive connections spreads over the replicas it opens
 * connections to. A connection whose backend dies is dropped with it, as it would be there.
 */
export async function startRoundRobinProxy(backendPorts: readonly number[]): Promise<RoundRobinProxy> {
  const sockets = new Set<net.Socket>();
  const handed = backendPorts.map(() => 0);
  let next = 0;
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };

  /** Tries the backends in turn from `next`; the client's bytes wait (paused) until one accepts. */
  const connect = (client: net.Socket, attempt: number) => {
    if (client.destroyed) return;
    if (attempt >= backendPorts.length) return void client.destroy();
    const index = next;
    next = (next + 1) % backendPorts.length;
    const upstream = net.connect(backendPorts[index]!, '127.0.0.1');
    let established = false;
    track(upstream);
    upstream.on('error', () => {
      if (!established) connect(client, attempt + 1);
    });
    upstream.on('close', () => {
      if (established) client.destroy();
    });
    client.once('close', () => upstream.destroy());
    upstream.once('connect', () => {
      established = true;
      handed[index]! += 1;
      client.pipe(upstream);
      upstream.pipe(client);
    });
  };

  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    track(client);
    client.on('error', () => undefined);
    connect(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    url: (path = '') => `http://127.0.0.1:${port}${path}`,
    connections: () => [...handed],
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
