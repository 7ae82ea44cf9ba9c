/** AMQP's reply code for a resource that does not exist (an exchange, a queue). */
export const NOT_FOUND = 404;
/** AMQP's reply code for a declaration that contradicts what exists (a queue's arguments). */
export const PRECONDITION_FAILED = 406;

/** Whether `error` is the broker closing a channel with reply `code`. */
export function isReply(error: unknown, code: number): boolean {
  return (error as { code?: unknown } | undefined)?.code === code;
}

/** The broker's own words in a channel error, without amqplib's wrapping ("… 404 (NOT-FOUND) with message \"NOT_FOUND - …\""). */
export function brokerReason(error: unknown): string {
  return (error as Error).message.replace(/^.*(?:NOT_FOUND|PRECONDITION_FAILED) - /s, '').replace(/"$/, '');
}
