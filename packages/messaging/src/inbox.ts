/** What the inbox needs from the caller's transaction (a Prisma transaction client fits). */
export interface InboxTransaction {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): Promise<number>;
}

/**
 * Records a message id in the `inbox` table inside the handler's transaction. Returns
 * false when it was already there: the message was applied before, so skip it.
 */
export async function recordInInbox(tx: InboxTransaction, messageId: string, type: string): Promise<boolean> {
  const inserted = await tx.$executeRaw`
    INSERT INTO inbox (message_id, type) VALUES (${messageId}::uuid, ${type})
    ON CONFLICT (message_id) DO NOTHING`;
  return inserted === 1;
}
