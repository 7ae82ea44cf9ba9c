/**
 * Written by a consumer on every copy it makes (retry, parking) and by `requeueParked`: who
 * published the message the copy stands for, `''` when nobody the broker vouched for did.
 * Believed only on a message whose broker-validated `userId` is the reader's own login, since
 * anyone may set a header, but only the holder of that login can publish under it.
 */
export const PUBLISHER_HEADER = 'potluck-publisher';

/**
 * The RabbitMQ user an AMQP URL logs in as, read as amqplib reads it: `guest` when the URL
 * names neither a user nor a password. Publishers put it in `userId`, which RabbitMQ
 * refuses unless it is the connection's own user.
 */
export function amqpUser(url: string): string {
  const { username, password } = new URL(url);
  if (username === '' && password === '') return 'guest';
  try {
    return decodeURIComponent(username);
  } catch {
    return username;
  }
}

/** Who may have published what a consumer applies. */
export interface PublisherTrust {
  /** The consumer's name, for the reason a message is parked with. */
  consumer: string;
  /** The consumer's own RabbitMQ user: the one its copies are published under. */
  login: string;
  /** The RabbitMQ users whose events the consumer applies: its producer's. */
  publishers: readonly string[];
}

export type TrustDecision =
  { trusted: true; publisher: string } | { trusted: false; publisher: string | undefined; reason: string };

const MAX_NAME_CHARS = 100;

function headerOf(headers: unknown, name: string): unknown {
  return typeof headers === 'object' && headers !== null ? (headers as Record<string, unknown>)[name] : undefined;
}

/**
 * Who published a message, as far as the broker vouches for it: its `userId` (RabbitMQ
 * refuses one that is not the publisher's login), except on a copy published under
 * `login` itself, where `PUBLISHER_HEADER` names the original publisher (`''`: none).
 * Undefined when there is no `userId`.
 */
export function publisherOf(properties: { userId?: unknown; headers?: unknown }, login: string): string | undefined {
  const { userId } = properties;
  if (typeof userId !== 'string' || userId === '') return undefined;
  if (userId !== login) return userId;
  const vouched = headerOf(properties.headers, PUBLISHER_HEADER);
  if (typeof vouched !== 'string') return userId;
  return vouched === '' ? undefined : vouched;
}

/** Whether a consumer may apply this message: only when its publisher is one it trusts. */
export function checkPublisher(
  properties: { userId?: unknown; headers?: unknown },
  trust: PublisherTrust,
): TrustDecision {
  const publisher = publisherOf(properties, trust.login);
  if (publisher !== undefined && trust.publishers.includes(publisher)) return { trusted: true, publisher };
  const publishers = trust.publishers.join(', ');
  const reason =
    publisher === undefined
      ? `untrusted publisher: no user_id (${trust.consumer} applies only what ${publishers} published)`
      : `untrusted publisher: user_id ${JSON.stringify(publisher.slice(0, MAX_NAME_CHARS))} is not one of the publishers ${trust.consumer} trusts (${publishers})`;
  return { trusted: false, publisher, reason };
}
