import { PrismaPg } from '@prisma/adapter-pg';

/**
 * How long a query waits to open a connection or to get a free one from the pool before it
 * fails. Without it a database behind a network partition holds each query until the
 * kernel's TCP timeout (minutes); with it the query fails, the service answers with an error
 * and its readiness reports the database, and the event consumer retries (a transient error).
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

export interface PrismaConnectionOptions {
  poolSize?: number;
  /** Default `DEFAULT_CONNECT_TIMEOUT_MS`. */
  connectTimeoutMs?: number;
  /** Called for every SQL statement; tests count statements per request with it. */
  onQuery?: (sql: string) => void;
}

/**
 * A service's own generated PrismaClient, opened the one way every service opens it: Prisma 7
 * over node-postgres (no native query engine), with query events only when someone listens.
 */
export function openPrisma<Client>(
  PrismaClient: new (options: ReturnType<typeof prismaClientOptions>) => Client,
  databaseUrl: string,
  options: PrismaConnectionOptions = {},
): Client {
  const client = new PrismaClient(prismaClientOptions(databaseUrl, options));
  forwardQueries(client, options.onQuery);
  return client;
}

function prismaClientOptions(databaseUrl: string, options: PrismaConnectionOptions) {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
  });
  return options.onQuery ? { adapter, log: [{ emit: 'event' as const, level: 'query' as const }] } : { adapter };
}

interface QueryEmitter {
  $on(event: 'query', listener: (event: { query: string }) => void): void;
}

function forwardQueries(client: unknown, onQuery: ((sql: string) => void) | undefined): void {
  if (onQuery) (client as QueryEmitter).$on('query', (event) => onQuery(event.query));
}
