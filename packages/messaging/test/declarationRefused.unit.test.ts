import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AMQP_PREFIX_PATTERN, brokerNames, DeclarationRefused, EXCHANGE_RECHECK_MS } from '../src/index.js';

/** A channel error as amqplib raises it when the broker closes the channel. */
function channelClosed(code: number, words: string): Error {
  return Object.assign(new Error(`Operation failed: QueueDeclare; ${code} (X) with message "${words}"`), { code });
}

function refusal() {
  const lines: Array<{ msg: string; err?: { message: string } }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const remedies = { 'x-delivery-limit': 'set EVENT_DELIVERY_LIMIT to the queue’s value' };
  return {
    refused: new DeclarationRefused({ logger, permissions: 'docs/events.md#who-may-publish', remedies }),
    lines,
  };
}

describe('DeclarationRefused', () => {
  it('says what access was refused and where the permissions are listed, without the user’s name (readiness is public); the log names it', () => {
    const { refused, lines } = refusal();
    const words = "ACCESS_REFUSED - access to queue 'p.comments.parked' in vhost '/' refused for user 'comments'";
    expect(refused.refused(channelClosed(403, words))).toBe(EXCHANGE_RECHECK_MS);
    expect(refused.message).toBe(
      "the broker refused this service's RabbitMQ user (access to queue 'p.comments.parked' in vhost '/' refused): grant it the permissions docs/events.md#who-may-publish lists, for the AMQP_PREFIX every service shares",
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]!.err!.message).toContain("for user 'comments'");
  });

  it('reads RabbitMQ 4’s words too, which name the kind of access', () => {
    const { refused } = refusal();
    const words =
      "ACCESS_REFUSED - configure access to queue 'p.comments.parked' in vhost '/' refused for user 'comments'";
    refused.refused(channelClosed(403, words));
    expect(refused.message).toMatch(
      /^the broker refused this service's RabbitMQ user \(configure access to queue 'p\.comments\.parked' in vhost '\/' refused\): grant it/,
    );
  });

  it('gives the remedy for the argument at fault, a generic one for another argument, and the broker’s words for another 406', () => {
    const { refused } = refusal();
    const limit = "PRECONDITION_FAILED - inequivalent arg 'x-delivery-limit' for queue 'p.comments.work' in vhost '/'";
    refused.refused(channelClosed(406, limit));
    expect(refused.message).toContain('set EVENT_DELIVERY_LIMIT');
    refused.refused(
      channelClosed(406, "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'p.e' in vhost '/'"),
    );
    expect(refused.message).toContain('declared elsewhere with other settings');
    refused.refused(channelClosed(406, "PRECONDITION_FAILED - queue limit in virtual host '/' is reached"));
    expect(refused.message).toBe("the broker refused a declaration (queue limit in virtual host '/' is reached)");
  });

  it('leaves anything else to its caller, logs a lasting refusal once, waits longer each look, and starts over once resolved', () => {
    const { refused, lines } = refusal();
    expect(refused.refused(channelClosed(404, "NOT_FOUND - no exchange 'x'"))).toBeUndefined();
    expect(refused.refused(new Error('socket closed'))).toBeUndefined();
    expect(refused.message).toBeUndefined();
    const denied = channelClosed(403, "ACCESS_REFUSED - access to exchange 'p.e' in vhost '/' refused for user 'u'");
    const waits = [1, 2, 3].map(() => refused.refused(denied));
    expect(waits).toEqual([EXCHANGE_RECHECK_MS, 2 * EXCHANGE_RECHECK_MS, 4 * EXCHANGE_RECHECK_MS]);
    expect(lines.map(({ msg }) => msg)).toEqual(['the broker refused this service (until an operator mends it)']);
    refused.resolved();
    expect(refused.message).toBeUndefined();
    expect(refused.refused(denied)).toBe(EXCHANGE_RECHECK_MS);
  });
});

describe('AMQP_PREFIX_PATTERN', () => {
  it('takes a name RabbitMQ accepts and refuses one that would make names it reserves (amq.…)', () => {
    for (const prefix of ['potluck', 'amqp', 'amqx.a', 'team-a.potluck', 'a'.repeat(100)]) {
      expect(AMQP_PREFIX_PATTERN.test(prefix), prefix).toBe(true);
    }
    for (const prefix of ['', 'a b', '.potluck', 'amq', 'amq.potluck', 'a'.repeat(101)]) {
      expect(AMQP_PREFIX_PATTERN.test(prefix), prefix).toBe(false);
      expect(() => brokerNames(prefix), prefix).toThrow(/AMQP prefix/);
    }
  });
});
