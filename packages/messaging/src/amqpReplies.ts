import type { Logger } from 'pino';

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

/** Whether the broker refused for a reason only an operator mends (a queue's other arguments, a permission the user lacks). */
export function isRefusal(error: unknown): boolean {
  return isReply(error, ACCESS_REFUSED) || isReply(error, PRECONDITION_FAILED);
}

/**
 * Listens for a channel's errors: a refusal (`isRefusal`) is kept for its close handler, which
 * hands it to a `DeclarationRefused` (logged once there, not at every look again); any other is
 * logged as `what`. Returns the refusal the channel met, if any.
 */
export function keepRefusal(
  channel: { on(event: 'error', listener: (error: Error) => void): unknown },
  logger: Logger,
  what: string,
): () => Error | undefined {
  let refused: Error | undefined;
  channel.on('error', (error: Error) => {
    if (isRefusal(error)) refused = error;
    else logger.warn({ err: error }, what);
  });
  return () => refused;
}
