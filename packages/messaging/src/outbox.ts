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

/** A tagged template for SQL: Prisma's `Prisma.sql` builds a fragment, a client's `$executeRaw` runs it. */
export type SqlTag<Result> = (strings: TemplateStringsArray, ...values: unknown[]) => Result;

/**
 * The `INSERT` that appends an event to the `outbox` table, built with `sql`, after checking
 * the event against the shared contract: a producer bug fails the whole write instead of
 * shipping an event every consumer would park. The row keeps the trace context active here
 * (the request's, or the consumed message's), which the relay's publish span continues.
 *
 * Built with `Prisma.sql`, it can be a data-modifying `WITH` of the statement that makes the
 * change, so both commit together in one round trip (see `createRecipe`).
 */
export function outboxInsert<Result>(sql: SqlTag<Result>, envelope: EventEnvelope): Result {
  validateEvent(envelope);
  const traceContext = traceContextOfActive();
  return sql`
    INSERT INTO outbox (id, type, aggregate_id, aggregate_version, payload, trace_context)
    VALUES (${envelope.id}::uuid, ${envelope.type}, ${envelope.aggregateId}::uuid,
            ${envelope.aggregateVersion}, ${JSON.stringify(envelope)}::jsonb,
            ${traceContext && JSON.stringify(traceContext)}::jsonb)`;
}

/** Appends an event to the outbox inside the caller's transaction (see `outboxInsert`). */
export async function appendToOutbox(tx: OutboxTransaction, envelope: EventEnvelope): Promise<void> {
  await outboxInsert((strings, ...values) => tx.$executeRaw(strings, ...values), envelope);
}
