import { PrismaPg } from '@prisma/adapter-pg';

export interface PrismaConnectionOptions {
  poolSize?: number;
  /** Called for every SQL statement; tests count statements per request with it. */
  onQuery?: (sql: string) => void;
}

/**
 * Constructor options for any service's generated PrismaClient: Prisma 7 over
 * node-postgres (no native query engine), with query events only when someone listens.
 */
export function prismaClientOptions(databaseUrl: string, options: PrismaConnectionOptions = {}) {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.poolSize ?? 10 });
  return options.onQuery ? { adapter, log: [{ emit: 'event' as const, level: 'query' as const }] } : { adapter };
}

interface QueryEmitter {
  $on(event: 'query', listener: (event: { query: string }) => void): void;
}

export function forwardQueries(client: unknown, onQuery: ((sql: string) => void) | undefined): void {
  if (onQuery) (client as QueryEmitter).$on('query', (event) => onQuery(event.query));
}
