import { forwardQueries, prismaClientOptions, type PrismaConnectionOptions } from '@potluck/db';
import { PrismaClient } from './generated/prisma/client.js';

export type { PrismaClient };

export function createPrisma(databaseUrl: string, options: PrismaConnectionOptions = {}): PrismaClient {
  const prisma = new PrismaClient(prismaClientOptions(databaseUrl, options));
  forwardQueries(prisma, options.onQuery);
  return prisma;
}
