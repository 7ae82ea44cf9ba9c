import { openPrisma, type PrismaConnectionOptions } from '@potluck/db';
import { PrismaClient, type Prisma } from './generated/prisma/client.js';

export type { PrismaClient };

export function createPrisma(databaseUrl: string, options?: PrismaConnectionOptions): PrismaClient {
  return openPrisma(PrismaClient, databaseUrl, options);
}

/** The client inside `prisma.$transaction(async (tx) => …)`: what operations and event handlers write through. */
export type Transaction = Prisma.TransactionClient;
