import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { sqlReadsOn, type SqlReads } from './sqlReads.js';

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
  /** Called for every SQL statement, Prisma's and the plain reads'; tests count statements per request with it. */
  onQuery?: (sql: string) => void;
  /** Told when the server drops an idle connection (the next query opens another); {@link openDatabase} only. */
  onPoolError?: (error: Error) => void;
}

interface PrismaLike {
  $disconnect(): Promise<void>;
}

type PrismaConstructor<Client> = new (options: ReturnType<typeof prismaClientOptions>) => Client;

/** A service's database: its Prisma client and, on the same pool, plain reads for its hot paths. */
export interface ServiceDatabase<Client> {
  prisma: Client;
  sql: SqlReads;
  /** Disconnects Prisma, then ends the pool; once, however often it is called. */
  close(): Promise<void>;
}

/**
 * A service's own generated PrismaClient, opened the one way every service opens it: Prisma 7
 * over node-postgres (no native query engine), with query events only when someone listens.
 */
export function openPrisma<Client>(
  PrismaClient: PrismaConstructor<Client>,
  databaseUrl: string,
  options: PrismaConnectionOptions = {},
): Client {
  return newPrisma(PrismaClient, new PrismaPg(poolConfigOf(databaseUrl, options)), options);
}

/** {@link openPrisma}, with plain reads ({@link SqlReads}) on a pool the two share. */
export function openDatabase<Client extends PrismaLike>(
  PrismaClient: PrismaConstructor<Client>,
  databaseUrl: string,
  options: PrismaConnectionOptions = {},
): ServiceDatabase<Client> {
  const pool = new pg.Pool(poolConfigOf(databaseUrl, options));
  // Without a listener an idle connection the server drops would crash the process; Prisma's adapter adds its own only once it connects.
  pool.on('error', (error) => options.onPoolError?.(error));
  const prisma = newPrisma(PrismaClient, new PrismaPg(pool), options);
  let closing: Promise<void> | undefined;
  const disconnectThenEnd = async () => {
    try {
      await prisma.$disconnect();
    } finally {
      await pool.end();
    }
  };
  return {
    prisma,
    sql: sqlReadsOn(pool, options.onQuery),
    close: () => (closing ??= disconnectThenEnd()),
  };
}

function poolConfigOf(databaseUrl: string, options: PrismaConnectionOptions): pg.PoolConfig {
  return {
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
  };
}

function prismaClientOptions(adapter: PrismaPg, options: PrismaConnectionOptions) {
  return options.onQuery ? { adapter, log: [{ emit: 'event' as const, level: 'query' as const }] } : { adapter };
}

function newPrisma<Client>(
  PrismaClient: PrismaConstructor<Client>,
  adapter: PrismaPg,
  options: PrismaConnectionOptions,
): Client {
  const client = new PrismaClient(prismaClientOptions(adapter, options));
  forwardQueries(client, options.onQuery);
  return client;
}

interface QueryEmitter {
  $on(event: 'query', listener: (event: { query: string }) => void): void;
}

function forwardQueries(client: unknown, onQuery: ((sql: string) => void) | undefined): void {
  if (onQuery) (client as QueryEmitter).$on('query', (event) => onQuery(event.query));
}
