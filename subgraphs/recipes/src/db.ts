import { openDatabase, openPrisma, type PrismaConnectionOptions, type ServiceDatabase } from '@potluck/db';
import { PrismaClient, type Prisma } from './generated/prisma/client.js';

export type { PrismaClient };

/** Prisma alone, for the `replay` command and the tests that need no plain reads. */
export function createPrisma(databaseUrl: string, options?: PrismaConnectionOptions): PrismaClient {
  return openPrisma(PrismaClient, databaseUrl, options);
}

/** The service's database: Prisma and, on its pool, the plain reads of the hot paths. */
export function openServiceDatabase(
  databaseUrl: string,
  options?: PrismaConnectionOptions,
): ServiceDatabase<PrismaClient> {
  return openDatabase(PrismaClient, databaseUrl, options);
}

/** The client inside `prisma.$transaction(async (tx) => …)`: what operations and event handlers write through. */
export type Transaction = Prisma.TransactionClient;
