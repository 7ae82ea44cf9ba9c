/** AMQP's reply code for an operation the user's permissions do not cover (configure, write or read on a resource). */
export const ACCESS_REFUSED = 403;
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
  return (error as Error).message
    .replace(/^.*(?:NOT_FOUND|PRECONDITION_FAILED|ACCESS_REFUSED) - /s, '')
    .replace(/"$/, '');
}

/**
 * Whether the broker refused for a reason only an operator mends (a queue's other arguments,
 * a permission the user lacks). While a participant sets its channel up, `DeclarationRefused`
 * reports such a refusal once, so its channel's error listener need not log it at every look.
 */
export function isRefusal(error: unknown): boolean {
  return isReply(error, ACCESS_REFUSED) || isReply(error, PRECONDITION_FAILED);
}
