/**
 * Compiled by `npm run typecheck`, never run: the outbox append takes a transaction
 * client, never the root client (see client/test/typeErrors.int.test.ts).
 */
import { appendToOutbox, type EventEnvelope, type OutboxTransaction } from '@potluck/messaging';
import type { PrismaClient } from '../src/db.js';

declare const prisma: PrismaClient;
declare const event: EventEnvelope;

export const inTransaction = prisma.$transaction((tx) => appendToOutbox(tx, event));

// @ts-expect-error the root client commits on its own: the event could outlive a rolled-back change
export const outsideTransaction = appendToOutbox(prisma, event);

// @ts-expect-error nor does the root client pass for a transaction when typed as one
export const rootAsTransaction: OutboxTransaction = prisma;
