/** What the inbox needs from the caller's transaction (a Prisma transaction client fits). */
export interface InboxTransaction {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): Promise<number>;
  $queryRaw<T = unknown>(query: TemplateStringsArray, ...values: unknown[]): Promise<T>;
}

/** Which messages of a batch were new: `take(id)` answers true once per new id, whatever its case. */
export interface NewMessages {
  take(messageId: string): boolean;
}

/**
 * Records a batch of message ids in one statement (one round trip, however many messages)
 * and returns which were new: apply each of them once, skip the others. An id twice in the
 * batch is new at most once.
 */
export async function recordBatchInInbox(
  tx: InboxTransaction,
  messages: ReadonlyArray<{ id: string; type: string }>,
): Promise<NewMessages> {
  const recorded = await tx.$queryRaw<Array<{ message_id: string }>>`
    INSERT INTO inbox (message_id, type)
    SELECT * FROM unnest(${messages.map((message) => message.id)}::uuid[], ${messages.map((message) => message.type)}::text[])
    ON CONFLICT (message_id) DO NOTHING
    RETURNING message_id::text`;
  // Postgres prints a uuid in lower case; the contract also accepts upper case.
  const fresh = new Set(recorded.map((row) => row.message_id));
  return { take: (messageId) => fresh.delete(messageId.toLowerCase()) };
}
