import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { AuthenticationError, type UserTokenVerifier, type Viewer } from '@potluck/identity';
import { isAllowedHost, type Logger } from '@potluck/service';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Opened, SubscriptionService } from './service.js';
import { tokenExpiry } from './tokenExpiry.js';

export interface WebSocketOptions {
  service: SubscriptionService;
  verify: UserTokenVerifier;
  allowedHosts: readonly string[];
  corsOrigins: readonly string[];
  maxPerConnection: number;
  maxMessageBytes: number;
  logger: Logger;
}

type SocketState = {
  viewer?: Viewer;
  /** When the connection's token expires (epoch ms): its subscriptions end then, and later ones are refused. */
  expiresAt?: number;
  /** Counts the connection closed in the metrics. */
  disconnected?: () => void;
  /** This socket's open subscriptions by id, released when they complete or the socket closes. */
  opened?: Map<string, Extract<Opened, { ok: true }>>;
};

/** Close codes graphql-transport-ws clients know: 4401 Unauthorized; 4503 for a key set that cannot be checked. */
const UNAUTHORIZED = 4401;
/** How long a new socket may take to send `connection_init` (else graphql-ws closes it with 4408). */
const CONNECTION_INIT_TIMEOUT_MS = 10_000;
const AUTH_UNAVAILABLE = 4503;

function refuseUpgrade(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Browsers send Origin on every WebSocket: only the gateway's own pages and CORS_ORIGINS may open one. */
function originAllowed(request: IncomingMessage, corsOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (corsOrigins.includes(origin)) return true;
  return URL.canParse(origin) && new URL(origin).host === request.headers.host;
}

function authorizationOf(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const value = params?.Authorization ?? params?.authorization;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Subscriptions over WebSocket at `/graphql` with the graphql-transport-ws protocol (graphql-ws's
 * own server). The token comes in the connection params (`Authorization: Bearer …`) and is
 * checked like the HTTP header: a bad one closes the socket with 4401. At the token's `exp`
 * each subscription ends with TOKEN_EXPIRED (and its cursor) and the socket takes no new
 * ones; the client reconnects with a fresh token. Each socket holds at most
 * `maxPerConnection` subscriptions; one that does not read is terminated.
 */
export function webSocketTransport(options: WebSocketOptions) {
  const { service, logger } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
  const server = useServer<Record<string, unknown>, SocketState>(
    {
      // graphql-ws's 3 s is short for a busy gateway taking many sockets at once (seen with 1,000 in the benchmark).
      connectionInitWaitTimeout: CONNECTION_INIT_TIMEOUT_MS,
      onConnect: async (ctx) => {
        try {
          const authorization = authorizationOf(ctx.connectionParams);
          ctx.extra.viewer = await options.verify(authorization);
          if (ctx.extra.viewer) ctx.extra.expiresAt = tokenExpiry(authorization);
          ctx.extra.disconnected = service.connected('ws');
          return true;
        } catch (error) {
          const unauthenticated = error instanceof AuthenticationError;
          const reason = unauthenticated ? `Unauthorized: ${error.message}` : 'The token could not be checked';
          ctx.extra.socket.close(unauthenticated ? UNAUTHORIZED : AUTH_UNAVAILABLE, reason.slice(0, 120));
          return false;
        }
      },
      onSubscribe: async (ctx, id, payload) => {
        if (Object.keys(ctx.subscriptions).length > options.maxPerConnection) {
          service.limited();
          return [
            new GraphQLError(`At most ${options.maxPerConnection} subscriptions at a time on one connection`, {
              extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
            }),
          ];
        }
        const { socket, request } = ctx.extra;
        const opened = service.subscribe(payload, {
          transport: 'ws',
          viewer: ctx.extra.viewer ?? null,
          expiresAt: ctx.extra.expiresAt,
          address: request.socket.remoteAddress ?? 'unknown',
          unsent: () => socket.bufferedAmount,
          drop: () => socket.terminate(),
        });
        if (!opened.ok) {
          return opened.errors.map((error) => new GraphQLError(error.message, { extensions: error.extensions }));
        }
        (ctx.extra.opened ??= new Map()).set(id, opened);
        return { schema: undefined, document: opened.document, contextValue: opened } as unknown as ExecutionArgs;
      },
      subscribe: (args) => (args.contextValue as { results: AsyncIterableIterator<never> }).results,
      onComplete: (ctx, id) => {
        ctx.extra.opened?.get(id)?.release();
        ctx.extra.opened?.delete(id);
      },
      onDisconnect: (ctx) => ctx.extra.disconnected?.(),
      onClose: (ctx) => {
        for (const opened of ctx.extra.opened?.values() ?? []) opened.release();
        ctx.extra.opened?.clear();
      },
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((error) =>
          error.originalError instanceof GraphQLError ? error.originalError.toJSON() : error.toJSON(),
        ),
    },
    wss,
  );
  return {
    /** For the HTTP server's `upgrade` event. */
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
      const path = new URL(request.url ?? '/', 'http://gateway').pathname;
      if (path !== '/graphql') return refuseUpgrade(socket, '404 Not Found');
      if (!isAllowedHost(request.headers.host, options.allowedHosts)) return refuseUpgrade(socket, '403 Forbidden');
      if (!originAllowed(request, options.corsOrigins)) return refuseUpgrade(socket, '403 Forbidden');
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
    },
    /** Closes every socket (1001 Going Away), after the subscriptions have completed. */
    async close(): Promise<void> {
      try {
        await server.dispose();
      } catch (error) {
        logger.warn({ err: error }, 'closing WebSocket connections');
      }
    },
  };
}
