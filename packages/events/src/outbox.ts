import type { EventEnvelope } from './envelope.js';

/**
 * The one thing the outbox needs from a Prisma transaction client. Accepting only a
 * transaction (never the root client) is what keeps an event and its change atomic.
 */
export interface OutboxTransaction {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): Promise<number>;
}

/** Appends an event to the `outbox` table inside the caller's transaction. */
export async function appendToOutbox(tx: OutboxTransaction, envelope: EventEnvelope): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO outbox (id, type, aggregate_id, aggregate_version, payload)
    VALUES (${envelope.id}::uuid, ${envelope.type}, ${envelope.aggregateId}::uuid,
            ${envelope.aggregateVersion}, ${JSON.stringify(envelope)}::jsonb)`;
}
