import type { Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import {
  graphqlRequest,
  parsePrometheusText,
  sampleValue,
  TEST_USER,
  testAmqpUrl,
  testUsers,
  waitFor,
} from '@potluck/testing';
import amqp from 'amqplib';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { stopService, type ServiceProcess } from '../scripts/stack.js';
import { startAnotherGateway, useStackWithGatewayBrokerLink } from './stack.js';
import {
  ADD_COMMENT,
  CREATE,
  errorsOf,
  subscribeOver,
  TRANSPORTS,
  type LiveSubscription,
  type Transport,
} from './subscriptionsClients.js';
import { sendUntilDropped } from './subscriptionsRawClients.js';

const {
  stack,
  prefix,
  brokerLink: proxy,
} = useStackWithGatewayBrokerLink({
  SUBSCRIPTIONS_PER_CONNECTION: '6',
  SUBSCRIPTIONS_PER_ADDRESS: '20',
  SUBSCRIPTION_MAX_UNSENT_BYTES: String(64 * 1024),
});

const COMMENT_ADDED = `subscription($recipeId: ID!, $after: String) {
  commentAdded(recipeId: $recipeId, after: $after) {
    cursor
    comment { text author { name } recipe { title commentCount } }
  }
}`;

async function newRecipe(title = 'Subscribed soup'): Promise<string> {
  const response = await graphqlRequest<{ createRecipe: { id: string } }>(stack.gatewayUrl, CREATE, { title });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!.createRecipe.id;
}

async function comment(recipeId: string, text: string): Promise<string> {
  const response = await graphqlRequest<{ addComment: { id: string } }>(stack.gatewayUrl, ADD_COMMENT, {
    input: { recipeId, text },
  });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!.addComment.id;
}

const opened: LiveSubscription[] = [];
function commentsOn(transport: Transport, recipeId: string, after?: string, headers?: Record<string, string>) {
  const live = subscribeOver(
    transport,
    stack.gatewayUrl,
    { query: COMMENT_ADDED, variables: { recipeId, after } },
    headers,
  );
  opened.push(live);
  return live;
}
afterAll(async () => {
  await Promise.all(opened.map((live) => live.close()));
});

type CommentPayload = { commentAdded: { cursor: string; comment: { text: string; recipe: { title: string } } } };
const texts = (live: LiveSubscription) =>
  live.payloads.map((payload) => (payload.data as CommentPayload | undefined)?.commentAdded.comment.text);
const cursors = (live: LiveSubscription) =>
  live.payloads.map((payload) => (payload.data as CommentPayload).commentAdded.cursor);

/** Sends probe comments until every one of the subscriptions has received one. */
async function untilAllLive(subscriptions: LiveSubscription[], recipeId: string): Promise<void> {
  for (let probe = 0; subscriptions.some((live) => live.payloads.length === 0); probe++) {
    const waiting = subscriptions.find((live) => live.payloads.length === 0)!;
    expect(probe, `no probe reached a subscription; ending ${JSON.stringify(waiting.ending)}`).toBeLessThan(40);
    await comment(recipeId, `probe ${probe}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Waits until the subscription is live: the protocol has no "subscribed" signal, so probe
 * comments go out until one arrives. Returns how many payloads the probes took.
 */
async function untilLive(live: LiveSubscription, recipeId: string): Promise<number> {
  await untilAllLive([live], recipeId);
  const probes = (await live.received(texts(live).filter((text) => text?.startsWith('probe')).length)).length;
  expect(texts(live).every((text) => text?.startsWith('probe'))).toBe(true);
  return probes;
}

/** One sample of the gateway's `/metrics` (0 when absent). */
async function metric(name: string, labels: Record<string, string> = {}, url = stack.gatewayUrl): Promise<number> {
  const families = parsePrometheusText(await (await fetch(new URL('/metrics', url))).text());
  return sampleValue(families, name, labels) ?? 0;
}

describe('subscription metrics', () => {
  it('count subscriptions by field and transport, connections, deliveries and their latency, and endings', async () => {
    const active = (transport: Transport) =>
      metric('potluck_gateway_subscriptions_active', { field: 'commentAdded', transport });
    const connections = (transport: Transport) =>
      metric('potluck_gateway_subscription_connections_active', { transport });
    const delivered = () => metric('potluck_gateway_subscription_events_delivered_total', { field: 'commentAdded' });
    const timed = () => metric('potluck_gateway_subscription_delivery_seconds_count', { field: 'commentAdded' });
    const completed = () => metric('potluck_gateway_subscriptions_ended_total', { reason: 'complete' });
    const before = {
      ws: await active('ws'),
      sse: await active('sse'),
      wsConnections: await connections('ws'),
      sseConnections: await connections('sse'),
      delivered: await delivered(),
      timed: await timed(),
      completed: await completed(),
    };
    expect(await metric('potluck_gateway_subscription_stream_connected')).toBe(1);

    const recipeId = await newRecipe();
    const live = TRANSPORTS.map((transport) => commentsOn(transport, recipeId));
    await untilAllLive(live, recipeId);
    await comment(recipeId, 'measured');
    await Promise.all(live.map((subscription) => waitFor(() => texts(subscription).includes('measured') || undefined)));
    const payloads = live.reduce((sum, subscription) => sum + subscription.payloads.length, 0);
    expect({
      ws: (await active('ws')) - before.ws,
      sse: (await active('sse')) - before.sse,
      wsConnections: (await connections('ws')) - before.wsConnections,
      sseConnections: (await connections('sse')) - before.sseConnections,
      delivered: (await delivered()) - before.delivered,
      timed: (await timed()) - before.timed,
    }).toEqual({ ws: 1, sse: 1, wsConnections: 1, sseConnections: 1, delivered: payloads, timed: payloads });
    const slowest = await metric('potluck_gateway_subscription_delivery_seconds_bucket', {
      field: 'commentAdded',
      le: '+Inf',
    });
    expect(slowest).toBeGreaterThanOrEqual(payloads);

    await Promise.all(live.map((subscription) => subscription.close()));
    await waitFor(
      async () => ((await active('ws')) === before.ws && (await active('sse')) === before.sse) || undefined,
      {
        what: 'the subscriptions to be counted closed',
      },
    );
    expect((await completed()) - before.completed).toBe(2);
    expect((await connections('ws')) - before.wsConnections).toBe(0);
    expect((await connections('sse')) - before.sseConnections).toBe(0);
  });
});

/** The claims of a JWT, unchecked: what the test itself signed. */
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number };

describe.each(TRANSPORTS)('subscriptions over %s', (transport) => {
  it('ends at the token’s expiry with TOKEN_EXPIRED and the cursor to resume from with a fresh token', async () => {
    const recipeId = await newRecipe();
    const expiring = await stack.identities.token(undefined, { lifetimeSeconds: 8 });
    const expiresAt = claimsOf(expiring).exp * 1000;
    const endedBefore = await metric('potluck_gateway_subscriptions_ended_total', { reason: 'token_expired' });
    const live = commentsOn(transport, recipeId, undefined, { authorization: `Bearer ${expiring}` });
    const probes = await untilLive(live, recipeId);
    await live.ended(20_000);
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    const [error, ...others] = errorsOf(live);
    expect(others).toEqual([]);
    // Over SSE the error comes as a last payload without data.
    const delivered = live.payloads.filter((payload) => payload.data);
    expect(delivered).toHaveLength(probes);
    expect(error!.extensions).toEqual({
      code: 'TOKEN_EXPIRED',
      expiredAt: new Date(expiresAt).toISOString(),
      cursor: cursors({ ...live, payloads: delivered }).at(-1),
    });
    expect(error!.message).toContain(new Date(expiresAt).toISOString());
    expect(await metric('potluck_gateway_subscriptions_ended_total', { reason: 'token_expired' })).toBe(
      endedBefore + 1,
    );

    await comment(recipeId, 'while signing in again');
    const fresh = await stack.identities.bearer();
    const resumed = commentsOn(transport, recipeId, error!.extensions!.cursor as string, fresh);
    await resumed.received(1);
    expect(texts(resumed)).toEqual(['while signing in again']);
    await resumed.close();
  });

  it('delivers each comment on the recipe in order, with fields from both subgraphs', async () => {
    const recipeId = await newRecipe(`Soup over ${transport}`);
    const live = commentsOn(transport, recipeId);
    const probes = await untilLive(live, recipeId);
    for (const text of ['first', 'second', 'third']) await comment(recipeId, text);
    const payloads = await live.received(probes + 3);
    expect(texts(live).slice(probes)).toEqual(['first', 'second', 'third']);
    const last = (payloads.at(-1)!.data as CommentPayload).commentAdded;
    expect(last.comment).toMatchObject({
      author: { name: expect.any(String) },
      recipe: { title: `Soup over ${transport}`, commentCount: expect.any(Number) },
    });
    expect(new Set(cursors(live)).size).toBe(probes + 3);
    await live.close();
  });

  it('resumes after a disconnect with every event published meanwhile, none twice, then live', async () => {
    const recipeId = await newRecipe();
    const first = commentsOn(transport, recipeId);
    const probes = await untilLive(first, recipeId);
    await comment(recipeId, 'seen');
    await first.received(probes + 1);
    const lastSeen = cursors(first).at(-1)!;
    await first.close();

    for (const text of ['missed 1', 'missed 2', 'missed 3']) await comment(recipeId, text);
    const resumed = commentsOn(transport, recipeId, lastSeen);
    await resumed.received(3);
    await comment(recipeId, 'live again');
    await resumed.received(4);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(texts(resumed)).toEqual(['missed 1', 'missed 2', 'missed 3', 'live again']);
    await resumed.close();
  });

  it('refuses a cursor it never gave out with BAD_USER_INPUT naming after', async () => {
    const recipeId = await newRecipe();
    const forged = Buffer.from(`v1:3:${recipeId}`).toString('base64url');
    for (const after of ['not a cursor', forged]) {
      const live = commentsOn(transport, recipeId, after);
      await live.ended();
      const errors = errorsOf(live);
      expect(errors.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(errors[0]!.message).toMatch(/^after: /);
    }
  });

  it('delivers recipe updates, resolved as the subscriber asked', async () => {
    const recipeId = await newRecipe('Before');
    const live = subscribeOver(transport, stack.gatewayUrl, {
      query: `subscription($id: ID!) {
        changed: recipeUpdated(id: $id) { __typename cursor recipe { title timeMinutes commentCount } }
      }`,
      variables: { id: recipeId },
    });
    opened.push(live);
    const update = `mutation($id: ID!, $minutes: Int!) { updateRecipe(id: $id, input: { timeMinutes: $minutes }) { id } }`;
    for (let minutes = 11; live.payloads.length === 0; minutes++) {
      expect(minutes, 'no update reached the subscription').toBeLessThan(50);
      expect((await graphqlRequest(stack.gatewayUrl, update, { id: recipeId, minutes })).errors).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const [first] = await live.received(1);
    expect(first!.data).toEqual({
      changed: {
        __typename: 'RecipeUpdatedEvent',
        cursor: expect.any(String),
        recipe: { title: 'Before', timeMinutes: expect.any(Number), commentCount: 0 },
      },
    });
    await live.close();
  });

  it('refuses a bad token like the HTTP endpoint', async () => {
    const recipeId = await newRecipe();
    const live = commentsOn(transport, recipeId, undefined, { authorization: 'Bearer not-a-token' });
    const ending = await live.ended();
    expect(ending.kind).toBe('error');
    if (transport === 'ws') expect((ending as { error: { code?: number } }).error.code).toBe(4401);
    else expect((ending as { error: { status?: number } }).error.status).toBe(401);
    expect(live.payloads).toEqual([]);
  });
});

async function subgraphFetches(subgraph: string, url = stack.gatewayUrl): Promise<number> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const families = parsePrometheusText(text);
  const outcomes = ['ok', 'error', 'timeout', 'unavailable'];
  return outcomes
    .map(
      (outcome) =>
        sampleValue(families, 'potluck_gateway_subgraph_request_duration_seconds_count', { subgraph, outcome }) ?? 0,
    )
    .reduce((sum, value) => sum + value, 0);
}

/**
 * The subgraph fetches while three comments go to `other` and one to `watched`, which every
 * subscriber (all live, on `watched`) receives.
 */
async function fetchesForOneEvent(subscribers: LiveSubscription[], watched: string, other: string) {
  const counts = subscribers.map((live) => live.payloads.length);
  const before = { comments: await subgraphFetches('comments'), recipes: await subgraphFetches('recipes') };
  for (const text of ['a', 'b', 'c']) await comment(other, text);
  await comment(watched, 'for everyone');
  await Promise.all(subscribers.map((live, index) => live.received(counts[index]! + 1)));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const after = { comments: await subgraphFetches('comments'), recipes: await subgraphFetches('recipes') };
  for (const live of subscribers) expect(texts(live).at(-1)).toBe('for everyone');
  return { comments: after.comments - before.comments, recipes: after.recipes - before.recipes };
}

describe('the fan-out', () => {
  it('filters before fetching, and many subscribers to a recipe cost one fetch per event', async () => {
    const [watched, other] = [await newRecipe('Watched'), await newRecipe('Other')];
    const subscribers = [...TRANSPORTS, ...TRANSPORTS, 'ws' as const].map((transport) =>
      commentsOn(transport, watched),
    );
    for (const live of subscribers) await untilLive(live, watched);
    await new Promise((resolve) => setTimeout(resolve, 500));

    // Four mutations (one comments fetch each) and one payload for five subscribers: the comment, then its recipe.
    expect(await fetchesForOneEvent(subscribers, watched, other)).toEqual({ comments: 5, recipes: 1 });
    await Promise.all(subscribers.map((live) => live.close()));
  });

  it('shares that fetch across signed-in viewers and anonymous ones when no selected field depends on the viewer', async () => {
    const [watched, other] = [await newRecipe('Watched by many'), await newRecipe('Other')];
    const viewers = [null, testUsers.ana, testUsers.joe, testUsers.moderator, TEST_USER];
    const subscribers = await Promise.all(
      viewers.map(async (viewer, index) =>
        commentsOn(TRANSPORTS[index % 2]!, watched, undefined, viewer ? await stack.identities.bearer(viewer) : {}),
      ),
    );
    for (const live of subscribers) await untilLive(live, watched);
    await new Promise((resolve) => setTimeout(resolve, 500));

    // As above: one payload fetch for five subscribers, though four of them are different users.
    expect(await fetchesForOneEvent(subscribers, watched, other)).toEqual({ comments: 5, recipes: 1 });
    await Promise.all(subscribers.map((live) => live.close()));
  });

  it('skips a message on the stream that is not a valid event, and delivers the next one', async () => {
    const recipeId = await newRecipe();
    const live = commentsOn('ws', recipeId);
    const probes = await untilLive(live, recipeId);
    const connection = await amqp.connect(testAmqpUrl());
    try {
      const channel = await connection.createConfirmChannel();
      const exchange = `${prefix}.comments.events`;
      channel.publish(exchange, 'comment.added', Buffer.from('{"type":"comment.added","data":{}}'), {
        userId: 'guest',
      });
      channel.publish(exchange, 'comment.added', Buffer.from('not json'), { userId: 'guest' });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    await comment(recipeId, 'after the garbage');
    await live.received(probes + 1);
    expect(texts(live).slice(probes)).toEqual(['after the garbage']);
    await live.close();
  });
});

describe('limits', () => {
  it('refuses more subscriptions on one WebSocket than SUBSCRIPTIONS_PER_CONNECTION (6)', async () => {
    const recipeId = await newRecipe();
    const client = createWsClient({
      url: stack.gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const outcomes: Array<Promise<unknown>> = [];
    const stops: Array<() => void> = [];
    for (let n = 0; n < 7; n++) {
      outcomes.push(
        new Promise((resolve) => {
          stops.push(
            client.subscribe(
              { query: COMMENT_ADDED, variables: { recipeId } },
              { next: () => undefined, error: resolve, complete: () => resolve('complete') },
            ),
          );
        }),
      );
    }
    const refused = (await Promise.race([outcomes[6], new Promise((resolve) => setTimeout(resolve, 10_000))])) as
      Array<{ extensions?: { code?: string } }> | undefined;
    expect(refused?.map((error) => error.extensions?.code)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
    for (const stop of stops) stop();
    await client.dispose();
  });

  it('refuses more subscriptions from one address than SUBSCRIPTIONS_PER_ADDRESS (20), on any transport', async () => {
    const recipeId = await newRecipe();
    const many = Array.from({ length: 20 }, (_, n) => commentsOn(n % 2 ? 'ws' : 'sse', recipeId));
    try {
      await untilAllLive(many, recipeId);
      for (const transport of TRANSPORTS) {
        const extra = commentsOn(transport, recipeId);
        await extra.ended();
        expect(errorsOf(extra).map((error) => error.extensions?.code)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
      }
    } finally {
      await Promise.all(many.map((live) => live.close()));
    }
    // Closed ones no longer count: a new subscription is served again.
    const again = commentsOn('sse', recipeId);
    await untilLive(again, recipeId);
    await again.close();
  });

  it('starts an event stream only for a JSON body, as Apollo’s CSRF prevention does for queries', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'text/plain' },
      body: JSON.stringify({ query: COMMENT_ADDED, variables: { recipeId: await newRecipe() } }),
    });
    expect(response.status).toBe(415);
  });

  it('drops a client that does not read instead of buffering for it', async () => {
    const recipeId = await newRecipe();
    const socket = new WebSocket(stack.gatewayUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const messages: string[] = [];
    socket.on('message', (data) => void messages.push(String(data)));
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await waitFor(() => messages.find((message) => message.includes('connection_ack')));
    const texts = Array.from({ length: 30 }, (_, n) => `t${n}: text`).join(' ');
    const query = `subscription($r: ID!) { commentAdded(recipeId: $r) { comment { ${texts} } } }`;
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables: { r: recipeId } } }));
    await waitFor(
      async () => {
        await comment(recipeId, 'probe');
        return messages.find((message) => message.includes('"type":"next"'));
      },
      { what: 'the first event' },
    );
    // The client stops reading: what the gateway sends piles up in the kernel's buffers, then in the gateway's.
    (socket as unknown as { _socket: Socket })._socket.pause();
    const long = 'x'.repeat(2000);
    const sent = await sendUntilDropped(stack.logs, 10, () => comment(recipeId, long).then(() => undefined));
    (socket as unknown as { _socket: Socket })._socket.resume();
    await closed;
    expect(sent).toBeLessThan(1000);
  });
});

describe('a second gateway, and restarts', () => {
  let second: ServiceProcess | undefined;
  let secondUrl: string;
  const startSecond = async () => {
    ({ url: secondUrl, service: second } = await startAnotherGateway(stack, prefix, 'gateway 2'));
  };
  afterAll(async () => {
    if (second) await stopService(second);
  });

  it('resumes on another gateway instance from a cursor the first one gave', async () => {
    await startSecond();
    const recipeId = await newRecipe();
    const onFirst = commentsOn('ws', recipeId);
    const probes = await untilLive(onFirst, recipeId);
    await comment(recipeId, 'on the first gateway');
    await onFirst.received(probes + 1);
    const cursor = cursors(onFirst).at(-1)!;
    await onFirst.close();
    for (const text of ['while away 1', 'while away 2']) await comment(recipeId, text);

    for (const transport of TRANSPORTS) {
      const onSecond = subscribeOver(transport, secondUrl, {
        query: COMMENT_ADDED,
        variables: { recipeId, after: cursor },
      });
      opened.push(onSecond);
      await onSecond.received(2);
      expect(texts(onSecond)).toEqual(['while away 1', 'while away 2']);
      await onSecond.close();
    }
  });

  it('completes every subscription when a gateway stops, and a restarted one resumes from the cursor', async () => {
    const recipeId = await newRecipe();
    const live = TRANSPORTS.map((transport) => {
      const subscription = subscribeOver(transport, secondUrl, { query: COMMENT_ADDED, variables: { recipeId } });
      opened.push(subscription);
      return subscription;
    });
    await untilAllLive(live, recipeId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const lastCursor = cursors(live[0]!).at(-1)!;

    expect(await stopService(second!)).toBe(0);
    for (const subscription of live) expect(await subscription.ended()).toEqual({ kind: 'complete' });
    await comment(recipeId, 'while restarting');
    await startSecond();
    const resumed = subscribeOver('sse', secondUrl, {
      query: COMMENT_ADDED,
      variables: { recipeId, after: lastCursor },
    });
    opened.push(resumed);
    await resumed.received(1);
    const missed = texts(resumed).filter((text) => !text?.startsWith('probe'));
    expect(missed, JSON.stringify(resumed.payloads)).toEqual(['while restarting']);
  });
});

describe('a broker outage', () => {
  it('keeps live subscriptions: after the cut the gateway reads on from where it stopped', async () => {
    const recipeId = await newRecipe();
    const live = TRANSPORTS.map((transport) => commentsOn(transport, recipeId));
    await untilAllLive(live, recipeId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = live.map((subscription) => subscription.payloads.length);

    const logged = stack.logs.length;
    proxy.cut();
    for (const text of ['during the cut 1', 'during the cut 2']) await comment(recipeId, text);
    await waitFor(() => stack.logs.slice(logged).find((line) => /^\[gateway\].*broker disconnected/.test(line)), {
      what: 'the gateway to notice the cut',
    });
    expect(await metric('potluck_gateway_subscription_stream_connected')).toBe(0);
    proxy.restore();
    await comment(recipeId, 'after the cut');
    for (const [index, subscription] of live.entries()) {
      await subscription.received(before[index]! + 3, 30_000);
      expect(texts(subscription).slice(before[index])).toEqual([
        'during the cut 1',
        'during the cut 2',
        'after the cut',
      ]);
      expect(subscription.ending).toBeUndefined();
    }
    expect(await metric('potluck_gateway_subscription_stream_connected')).toBe(1);
    await Promise.all(live.map((subscription) => subscription.close()));
  });
});
