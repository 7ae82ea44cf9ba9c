import { forwardQueries, prismaClientOptions, type PrismaConnectionOptions } from '@potluck/db';
import { PrismaClient, type Prisma } from './generated/prisma/client.js';

export type { PrismaClient };

export function createPrisma(databaseUrl: string, options: PrismaConnectionOptions = {}): PrismaClient {
  const prisma = new PrismaClient(prismaClientOptions(databaseUrl, options));
  forwardQueries(prisma, options.onQuery);
  return prisma;
}

/** The client inside `prisma.$transaction(async (tx) => …)`: what operations and event handlers write through. */
export type Transaction = Prisma.TransactionClient;
