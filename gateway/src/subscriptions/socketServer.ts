import type { IncomingMessage } from 'node:http';
import type { Logger } from '@potluck/service';
import { CloseCode, type Server } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';

/** How often a socket is pinged; one that has not answered by the next ping is terminated. */
const KEEP_ALIVE_MS = 12_000;

/** What graphql-ws's handlers get in `ctx.extra` besides the transport's own state. */
export interface SocketExtra {
  socket: WebSocket;
  request: IncomingMessage;
}

/**
 * Serves graphql-ws's protocol on the sockets `wss` accepts, as `graphql-ws/use/ws` does, but
 * hand-wired (about forty lines) because that helper prints internal errors with
 * `console.error` and, unless NODE_ENV says production, puts their messages in the close
 * reason the client sees. Here they go to the logger and the client gets a generic reason.
 * `extraOf` makes each socket's `ctx.extra`.
 */
export function serveSockets<E extends SocketExtra>(
  server: Server<E>,
  wss: WebSocketServer,
  extraOf: (socket: WebSocket, request: IncomingMessage) => E,
  logger: Logger,
): void {
  const internal = (socket: WebSocket, error: unknown, what: string) => {
    logger.error({ err: error }, what);
    socket.close(CloseCode.InternalServerError, 'Internal server error');
  };
  wss.on('error', (error) => logger.error({ err: error }, 'the WebSocket server failed'));
  wss.on('connection', (socket, request) => {
    socket.once('error', (error) => internal(socket, error, 'a WebSocket failed'));
    let answered = true;
    const keepAlive = setInterval(() => {
      if (!answered) return socket.terminate();
      answered = false;
      socket.ping();
    }, KEEP_ALIVE_MS);
    socket.on('pong', () => (answered = true));
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', async (data) => {
            try {
              await handle(String(data));
            } catch (error) {
              internal(socket, error, 'handling a WebSocket message failed');
            }
          }),
      },
      extraOf(socket, request),
    );
    socket.once('close', (code, reason) => {
      clearInterval(keepAlive);
      void closed(code, String(reason)).catch((error: unknown) =>
        logger.warn({ err: error }, 'closing a WebSocket connection'),
      );
    });
  });
}
