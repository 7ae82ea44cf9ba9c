import { validateEvent } from './contracts.js';
import type { EventEnvelope } from './envelope.js';

/**
 * The one thing the outbox needs from a Prisma transaction client. Accepting only a
 * transaction (never the root client) is what keeps an event and its change atomic.
 */
export interface OutboxTransaction {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): Promise<number>;
}

/**
 * Appends an event to the `outbox` table inside the caller's transaction, after checking it
 * against the shared contract: a producer bug fails the whole transaction instead of
 * shipping an event every consumer would park.
 */
export async function appendToOutbox(tx: OutboxTransaction, envelope: EventEnvelope): Promise<void> {
  validateEvent(envelope);
  await tx.$executeRaw`
    INSERT INTO outbox (id, type, aggregate_id, aggregate_version, payload)
    VALUES (${envelope.id}::uuid, ${envelope.type}, ${envelope.aggregateId}::uuid,
            ${envelope.aggregateVersion}, ${JSON.stringify(envelope)}::jsonb)`;
}
