import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { AuthenticationError, type UserTokenVerifier, type Viewer } from '@potluck/identity';
import { isAllowedHost, type Logger } from '@potluck/service';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { handleProtocols, makeServer } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { addressSlots } from './addressSlots.js';
import type { UpgradeRefusal } from './metrics.js';
import type { Opened, SubscriptionService } from './service.js';
import { serveSockets, type SocketExtra } from './socketServer.js';
import { tokenExpiry } from './tokenExpiry.js';

export interface WebSocketOptions {
  service: SubscriptionService;
  verify: UserTokenVerifier;
  allowedHosts: readonly string[];
  corsOrigins: readonly string[];
  maxPerConnection: number;
  maxMessageBytes: number;
  /** Sockets open at once from one address; more are refused at the upgrade (429). */
  maxSocketsPerAddress: number;
  /** Sockets open at once in all, below the HTTP server's connection limit so plain HTTP keeps headroom (503 past it). */
  maxSockets: number;
  /** A socket that holds no subscription for this long is closed (1000), whether or not it sent `connection_init`. */
  socketIdleMs: number;
  logger: Logger;
}

type SocketState = SocketExtra & {
  /** Since when the socket holds no subscription (epoch ms); undefined while it holds one. */
  idleSince?: number;
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

/** The token in the connection params; a present one that is not a string is refused, never taken as anonymous. */
function authorizationOf(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const values = [params?.Authorization, params?.authorization].filter((value) => value !== undefined);
  if (values.some((value) => typeof value !== 'string')) {
    throw new AuthenticationError('the Authorization connection param must be a string');
  }
  return values[0] as string | undefined;
}

/** Releases what a socket holds once it is closed, by its own `close` event (graphql-ws's `onClose` waits on the broker). */
function releaseOnClose(state: SocketState, release: () => void): void {
  state.socket.once('close', () => {
    release();
    for (const opened of state.opened?.values() ?? []) opened.release();
    state.opened?.clear();
    state.disconnected?.();
  });
}

/**
 * Subscriptions over WebSocket at `/graphql` with the graphql-transport-ws protocol (graphql-ws's
 * own server). The token comes in the connection params (`Authorization: Bearer …`) and is
 * checked like the HTTP header: a bad one closes the socket with 4401. At the token's `exp`
 * each subscription ends with TOKEN_EXPIRED (and its cursor) and the socket takes no new
 * ones; the client reconnects with a fresh token. Each socket holds at most
 * `maxPerConnection` subscriptions; one that does not read is terminated. Sockets are
 * limited per address and in all at the upgrade, and one that holds no subscription for
 * `socketIdleMs` is closed, so idle sockets cannot take the connections HTTP needs.
 */
export function webSocketTransport(options: WebSocketOptions) {
  const { service, logger } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes, handleProtocols });
  const server = makeServer<Record<string, unknown> | undefined, SocketState>({
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
      ctx.extra.idleSince = undefined;
      return { schema: undefined, document: opened.document, contextValue: opened } as unknown as ExecutionArgs;
    },
    subscribe: (args) => (args.contextValue as { results: AsyncIterableIterator<never> }).results,
    onComplete: (ctx, id) => {
      ctx.extra.opened?.get(id)?.release();
      ctx.extra.opened?.delete(id);
      if (ctx.extra.opened?.size === 0) ctx.extra.idleSince = Date.now();
    },
    onError: (_ctx, _id, _payload, errors) =>
      errors.map((error) =>
        error.originalError instanceof GraphQLError ? error.originalError.toJSON() : error.toJSON(),
      ),
  });
  const sockets = new Set<SocketState>();
  serveSockets(
    server,
    wss,
    (socket, request) => {
      const state: SocketState = { socket, request, idleSince: Date.now() };
      sockets.add(state);
      releaseOnClose(state, () => sockets.delete(state));
      return state;
    },
    logger,
  );
  const idleSweep = setInterval(
    () => {
      const idleBefore = Date.now() - options.socketIdleMs;
      for (const state of sockets) {
        if (state.idleSince !== undefined && state.idleSince <= idleBefore)
          state.socket.close(1000, 'Idle: no subscription');
      }
    },
    Math.min(5000, Math.max(100, options.socketIdleMs / 4)),
  ).unref();
  const perAddress = addressSlots(options.maxSocketsPerAddress);
  return {
    /** For the HTTP server's `upgrade` event. */
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
      const refuse = (reason: UpgradeRefusal, status: string) => {
        service.upgradeRefused(reason);
        refuseUpgrade(socket, status);
      };
      const path = new URL(request.url ?? '/', 'http://gateway').pathname;
      if (path !== '/graphql') return refuse('not_found', '404 Not Found');
      if (!isAllowedHost(request.headers.host, options.allowedHosts)) return refuse('forbidden', '403 Forbidden');
      if (!originAllowed(request, options.corsOrigins)) return refuse('forbidden', '403 Forbidden');
      if (perAddress.size >= options.maxSockets) return refuse('busy', '503 Service Unavailable');
      const release = perAddress.acquire(request.socket.remoteAddress ?? 'unknown');
      if (!release) return refuse('per_address', '429 Too Many Requests');
      socket.once('close', release);
      wss.handleUpgrade(request, socket, head, (ws: WebSocket) => wss.emit('connection', ws, request));
    },
    /** Closes every socket (1001 Going Away); the subscription service has completed their subscriptions. */
    async close(): Promise<void> {
      clearInterval(idleSweep);
      for (const { socket } of sockets) socket.close(1001, 'Going away');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
