import { validateEvent } from './contract/contracts.js';
import type { EventEnvelope } from './contract/envelope.js';
import { traceContextOfActive } from './tracing.js';

/**
 * What the outbox needs from a Prisma transaction client. Accepting only a transaction
 * (never the root client) is what keeps an event and its change atomic, so the type
 * refuses anything with `$connect`: Prisma's `TransactionClient` omits it (with
 * `$disconnect`, `$on` and `$extends`), the root client has it
 * (see subgraphs/comments/test/outboxTransaction.typecheck.ts).
 */
export interface OutboxTransaction {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): Promise<number>;
  $connect?: never;
}

/**
 * Appends an event to the `outbox` table inside the caller's transaction, after checking it
 * against the shared contract: a producer bug fails the whole transaction instead of
 * shipping an event every consumer would park. The row keeps the trace context active here
 * (the request's, or the consumed message's), which the relay's publish span continues.
 */
export async function appendToOutbox(tx: OutboxTransaction, envelope: EventEnvelope): Promise<void> {
  validateEvent(envelope);
  const traceContext = traceContextOfActive();
  await tx.$executeRaw`
    INSERT INTO outbox (id, type, aggregate_id, aggregate_version, payload, trace_context)
    VALUES (${envelope.id}::uuid, ${envelope.type}, ${envelope.aggregateId}::uuid,
            ${envelope.aggregateVersion}, ${JSON.stringify(envelope)}::jsonb,
            ${traceContext && JSON.stringify(traceContext)}::jsonb)`;
}
