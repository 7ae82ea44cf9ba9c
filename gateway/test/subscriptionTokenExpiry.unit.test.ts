import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, GraphQLError, parse } from 'graphql';
import { createLogger } from '@potluck/service';
import { commentEventFixture, testIdentityProvider, TEST_USER } from '@potluck/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../src/subscriptions/cursor.js';
import type { Subscriber, SubscriptionHub } from '../src/subscriptions/hub.js';
import { subscriptionMetrics } from '../src/subscriptions/metrics.js';
import type { Payloads } from '../src/subscriptions/payloads.js';
import { prepareSubscription } from '../src/subscriptions/prepare.js';
import { createSubscriptionService } from '../src/subscriptions/service.js';
import { openSubscription } from '../src/subscriptions/subscription.js';
import { tokenExpiry } from '../src/subscriptions/tokenExpiry.js';

const schema = buildSchema(readFileSync(fileURLToPath(new URL('../../schema/api.graphql', import.meta.url)), 'utf8'));
const limits = { validationRules: [], costRules: [], maxPageSize: 100 };
const logger = createLogger('test', 'silent');
const recipeId = randomUUID();
const QUERY = 'subscription($r: ID!) { commentAdded(recipeId: $r) { cursor } }';

/** A hub that hands its one subscriber to the test, and payloads that answer at once. */
function fakes() {
  let subscriber: Subscriber | undefined;
  const hub = {
    add: async (added: Subscriber) => {
      subscriber = added;
      return async () => undefined;
    },
  } as unknown as SubscriptionHub;
  const payloads: Payloads = async (_prepared, entry) => ({
    kind: 'payload',
    result: { data: { commentAdded: { cursor: String(entry.offset) } } },
  });
  return { hub, payloads, subscriber: () => subscriber! };
}

const entryAt = (offset: number) => ({
  kind: 'event' as const,
  offset,
  event: commentEventFixture('comment.added', recipeId),
});

describe('a subscription with a token', () => {
  it('ends at the expiry with TOKEN_EXPIRED, the time, and the cursor of the last event delivered', async () => {
    const { hub, payloads, subscriber } = fakes();
    const expiresAt = Date.now() + 300;
    const results = openSubscription({
      hub,
      payloads,
      prepared: prepareSubscription(schema, { document: parse(QUERY), variables: { r: recipeId } }, limits),
      viewer: TEST_USER,
      logger,
      unsent: () => 0,
      maxUnsentBytes: 1_000_000,
      drop: () => undefined,
      expiresAt,
    });
    const first = entryAt(7);
    subscriber().deliver(first, { catchingUp: false });
    expect((await results.next()).value).toEqual({ data: { commentAdded: { cursor: '7' } } });
    const ending = await results.next().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    expect(ending).toBeInstanceOf(GraphQLError);
    const expiredAt = new Date(expiresAt).toISOString();
    expect((ending as GraphQLError).extensions).toEqual({
      code: 'TOKEN_EXPIRED',
      expiredAt,
      cursor: encodeCursor({ offset: 7, eventId: first.event.id }),
    });
    expect((ending as GraphQLError).message).toContain(expiredAt);
    subscriber().deliver(entryAt(8), { catchingUp: false });
    expect(await results.next()).toEqual({ value: undefined, done: true });
  });

  it('is refused once its token has expired, as on a WebSocket opened before', () => {
    const { hub, payloads } = fakes();
    const service = createSubscriptionService({
      hub,
      payloads,
      apiSchema: () => schema,
      limits,
      settings: { maxPerAddress: 10, maxUnsentBytes: 1_000_000, maxTokens: 1000 },
      format: (formatted) => formatted,
      logger,
      metrics: subscriptionMetrics(undefined),
    });
    const client = {
      transport: 'ws' as const,
      viewer: TEST_USER,
      address: '::1',
      unsent: () => 0,
      drop: () => undefined,
    };
    const expiresAt = Date.now() - 1;
    const refused = service.subscribe({ query: QUERY, variables: { r: recipeId } }, { ...client, expiresAt });
    expect(refused).toEqual({
      ok: false,
      errors: [
        {
          message: expect.stringContaining(new Date(expiresAt).toISOString()),
          extensions: { code: 'TOKEN_EXPIRED', expiredAt: new Date(expiresAt).toISOString() },
        },
      ],
    });
    const opened = service.subscribe(
      { query: QUERY, variables: { r: recipeId } },
      { ...client, expiresAt: Date.now() + 60_000 },
    );
    expect(opened.ok).toBe(true);
    if (opened.ok) opened.release();
  });
});

describe('tokenExpiry', () => {
  const identities = testIdentityProvider();
  afterAll(() => identities.remove());

  it("reads a verified token's exp, in milliseconds", async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await identities.token(undefined, { lifetimeSeconds: 90 });
    const expiry = tokenExpiry(`Bearer ${token}`);
    expect(expiry % 1000).toBe(0);
    expect(expiry / 1000 - before).toBeGreaterThanOrEqual(90);
    expect(expiry / 1000 - before).toBeLessThanOrEqual(91);
  });

  it('counts anything it cannot read as expired already', () => {
    const claims = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const authorization of [
      undefined,
      '',
      'Basic abc',
      'Bearer nodots',
      'Bearer a.%%%.c',
      `Bearer a.${Buffer.from('not json').toString('base64url')}.c`,
      `Bearer a.${claims({ exp: '2099-01-01' })}.c`,
      `Bearer a.${claims({})}.c`,
      `Bearer a.${claims(null)}.c`,
    ]) {
      expect(tokenExpiry(authorization), String(authorization)).toBe(0);
    }
  });
});
