import type { Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { graphqlRequest, TEST_USER, waitFor } from '@potluck/testing';
import type WebSocket from 'ws';
import { useStackWithGatewayBrokerLink } from './stack.js';
import { ADD_COMMENT, CREATE, errorsOf, subscribeOver, type LiveSubscription } from './subscriptionsClients.js';
import { metric, openSocket, postEventStream, sendUntilDropped, textOf, watch } from './subscriptionsRawClients.js';

/** What an attacker review of the subscription transports found (docs/subscriptions.md#limits). */
const activeWs = () =>
  metric(stack.gatewayUrl, 'potluck_gateway_subscriptions_active', { field: 'commentAdded', transport: 'ws' });
const textsOf = (subscription: LiveSubscription) =>
  subscription.payloads.map(
    (payload) => (payload.data as { commentAdded: { comment: { text: string } } } | null)?.commentAdded.comment.text,
  );

const { stack, brokerLink } = useStackWithGatewayBrokerLink({
  HTTP_MAX_CONNECTIONS: '40',
  WEBSOCKETS_MAX: '10',
  WEBSOCKETS_PER_ADDRESS: '8',
  WEBSOCKET_IDLE_TIMEOUT_MS: '4000',
  SUBSCRIPTION_CATCH_UP_READERS: '2',
  SUBSCRIPTION_MAX_UNSENT_BYTES: String(512 * 1024),
});

const COMMENT_ADDED = `subscription($recipeId: ID!, $after: String) {
  commentAdded(recipeId: $recipeId, after: $after) { cursor comment { text } }
}`;

async function newRecipe(): Promise<string> {
  const response = await graphqlRequest<{ createRecipe: { id: string } }>(stack.gatewayUrl, CREATE, { title: 'Soup' });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!.createRecipe.id;
}

async function comment(recipeId: string, text: string): Promise<void> {
  const response = await graphqlRequest(stack.gatewayUrl, ADD_COMMENT, { input: { recipeId, text } });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
}

const sockets: WebSocket[] = [];
const live: LiveSubscription[] = [];
afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await Promise.all(live.map((subscription) => subscription.close()));
});

function commentsOn(recipeId: string, after?: string): LiveSubscription {
  const subscription = subscribeOver('ws', stack.gatewayUrl, { query: COMMENT_ADDED, variables: { recipeId, after } });
  live.push(subscription);
  return subscription;
}

/** A cursor on a recipe's stream: one comment, received live, then the subscription is closed. */
async function cursorOn(recipeId: string): Promise<string> {
  const first = commentsOn(recipeId);
  const payloads = await waitFor(
    async () => {
      await comment(recipeId, 'probe');
      return first.payloads.length > 0 ? first.payloads : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 300, what: 'a first event' },
  );
  await first.close();
  return (payloads[0]!.data as { commentAdded: { cursor: string } }).commentAdded.cursor;
}

describe('an event stream client that does not read', () => {
  it('is dropped at the send bound instead of buffered', async () => {
    const recipeId = await newRecipe();
    const texts = Array.from({ length: 30 }, (_, n) => `t${n}: text`).join(' ');
    const query = `subscription($r: ID!) { commentAdded(recipeId: $r) { comment { ${texts} } } }`;
    const response = await postEventStream(stack.gatewayUrl, { query, variables: { r: recipeId } });
    expect(response.statusCode).toBe(200);
    let received = '';
    response.on('data', (chunk) => (received += String(chunk)));
    const closed = new Promise((resolve) => response.once('close', resolve));
    await waitFor(
      async () => {
        await comment(recipeId, 'probe');
        return received.includes('event: next') || undefined;
      },
      { intervalMs: 300, what: 'the first event' },
    );
    const slow = () =>
      metric(stack.gatewayUrl, 'potluck_gateway_subscriptions_ended_total', { reason: 'slow_consumer' });
    const slowBefore = await slow();
    (response.socket as Socket).pause();
    // Five events (about 27 KB each) at a time stay well under the 512 KiB bound: only a queue that grows reaches it.
    const long = 'x'.repeat(900);
    const sent = await sendUntilDropped(stack.logs, 5, () => comment(recipeId, long));
    expect(sent).toBeLessThan(1000);
    expect(await slow()).toBe(slowBefore + 1);
    (response.socket as Socket).resume();
    await closed;
  });
});

describe('WebSocket connection limits', () => {
  const refusedUpgrades = (reason: string) =>
    metric(stack.gatewayUrl, 'potluck_gateway_websocket_upgrades_refused_total', { reason });

  it('refuses sockets past the per-address limit at the upgrade, and counts it', async () => {
    const before = await refusedUpgrades('per_address');
    const opened: Array<WebSocket | number> = [];
    for (let n = 0; n < 9; n++) opened.push(await openSocket(stack.gatewayUrl, '127.0.0.2'));
    sockets.push(...opened.filter((socket): socket is WebSocket => typeof socket !== 'number'));
    expect(opened.filter((socket) => typeof socket !== 'number')).toHaveLength(8);
    expect(opened.at(-1)).toBe(429);
    expect(await refusedUpgrades('per_address')).toBe(before + 1);
    for (const socket of sockets.splice(0)) socket.terminate();
  });

  it('keeps plain HTTP answering when sockets from many addresses reach the WebSocket cap', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 48 }, (_, n) => openSocket(stack.gatewayUrl, `127.0.0.${3 + (n % 12)}`).catch(() => -1)),
    );
    sockets.push(...attempts.filter((socket): socket is WebSocket => typeof socket !== 'number'));
    // Sockets of the last test may not all be closed on the gateway's side yet.
    expect(sockets.length).toBeGreaterThanOrEqual(8);
    expect(sockets.length).toBeLessThanOrEqual(10);
    const busy = attempts.filter((socket) => socket === 503).length;
    expect(busy).toBeGreaterThan(0);
    expect(await refusedUpgrades('busy')).toBeGreaterThanOrEqual(busy);
    const health = await fetch(new URL('/health/live', stack.gatewayUrl));
    expect(health.status).toBe(200);
    const query = await graphqlRequest(stack.gatewayUrl, '{ __typename }');
    expect(query.errors).toBeUndefined();
    for (const socket of sockets.splice(0)) socket.terminate();
  });

  it('closes a socket that holds no subscription after the idle timeout, not one that does', async () => {
    const recipeId = await newRecipe();
    const idle = (await openSocket(stack.gatewayUrl)) as WebSocket;
    const busy = (await openSocket(stack.gatewayUrl)) as WebSocket;
    sockets.push(idle, busy);
    const [idleSeen, busySeen] = [watch(idle), watch(busy)];
    for (const socket of [idle, busy]) socket.send(JSON.stringify({ type: 'connection_init' }));
    await waitFor(() => busySeen.messages.find((message) => message.includes('connection_ack')));
    const variables = { recipeId };
    busy.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: COMMENT_ADDED, variables } }));
    expect(await idleSeen.closed).toBe(1000);
    expect(busy.readyState).toBe(busy.OPEN);
    busy.terminate();
  });
});

describe('resumes', () => {
  it('past the backlog reader cap end with SUBSCRIPTIONS_BUSY and the cursor, and go through once one frees', async () => {
    const recipeId = await newRecipe();
    const cursor = await cursorOn(recipeId);
    // The stream is quiet: each verified backlog read holds its broker consumer until the next live event.
    await waitFor(async () => (await activeWs()) === 0 || undefined, { what: 'no subscription open' });
    const holding = [commentsOn(recipeId, cursor), commentsOn(recipeId, cursor)];
    await waitFor(async () => (await activeWs()) === 2 || undefined, { what: 'two resumes to open' });
    const third = commentsOn(recipeId, cursor);
    await third.ended();
    const [error] = errorsOf(third);
    expect(error?.extensions).toMatchObject({ code: 'SUBSCRIPTIONS_BUSY', cursor, retryAfter: '5' });
    expect(holding.map((subscription) => subscription.ending)).toEqual([undefined, undefined]);

    const opened = [...holding, third];
    try {
      await comment(recipeId, 'live again');
      const gotLive = (subscription: LiveSubscription) => textsOf(subscription).includes('live again');
      await waitFor(() => holding.every(gotLive) || undefined, { what: 'the resumes to reach the live event' });
      // A reader slot is given back once its broker consumer is cancelled, a moment after the
      // handover: like a client told SUBSCRIPTIONS_BUSY, resume again until one is free.
      let fourth: LiveSubscription | undefined;
      for (let attempt = 0; attempt < 20 && !fourth; attempt++) {
        const resume = commentsOn(recipeId, cursor);
        opened.push(resume);
        const served = await waitFor(() => (gotLive(resume) ? 'served' : resume.ending && 'ended'), {
          what: 'a later resume to be served or refused',
        });
        if (served === 'served') fourth = resume;
        else {
          expect(errorsOf(resume)[0]?.extensions?.code, JSON.stringify(resume.ending)).toBe('SUBSCRIPTIONS_BUSY');
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
      expect(fourth, 'a resume served once a reader slot was free').toBeDefined();
    } finally {
      await Promise.all(opened.map((subscription) => subscription.close()));
    }
  }, 120_000);

  it('release their slots when the client leaves while the broker does not answer', async () => {
    const recipeId = await newRecipe();
    const cursor = await cursorOn(recipeId);
    await waitFor(async () => (await activeWs()) === 0 || undefined, { what: 'no subscription open' });
    brokerLink.holdReplies();
    try {
      const socket = (await openSocket(stack.gatewayUrl)) as WebSocket;
      sockets.push(socket);
      const { messages } = watch(socket);
      // The token expires while the backlog read still waits on the broker: the subscription ends then.
      const expiresAt = Date.now() + 2000;
      const token = await stack.identities.token(TEST_USER, { lifetimeSeconds: 2 });
      socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } }));
      await waitFor(() => messages.find((message) => message.includes('connection_ack')));
      const payload = { query: COMMENT_ADDED, variables: { recipeId, after: cursor } };
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload }));
      await waitFor(async () => (await activeWs()) === 1 || undefined, { what: 'the resume to open' });
      await waitFor(() => Date.now() > expiresAt + 1000 || undefined, { what: 'the token to expire' });
      // Gone without a `complete`: only the socket's close can release it, as ending it waits on the broker.
      socket.terminate();
      await waitFor(async () => (await activeWs()) === 0 || undefined, {
        timeoutMs: 3000,
        what: 'its slot to be released',
      });
    } finally {
      brokerLink.releaseReplies();
    }
  });
});

describe('refusals are coded', () => {
  it('closes a WebSocket whose Authorization connection param is not a string with 4401', async () => {
    const socket = (await openSocket(stack.gatewayUrl)) as WebSocket;
    sockets.push(socket);
    const { closed } = watch(socket);
    socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: ['Bearer', 'x'] } }));
    expect(await closed).toBe(4401);
  });

  it.each([
    [{}, 'query must be a string'],
    [[1, 2], 'The body must be a JSON object with a query'],
    [{ query: 'subscription { x }', variables: [1] }, 'variables must be an object'],
    [{ query: 'subscription { x }', operationName: 5 }, 'operationName must be a string'],
  ])('answers the event stream body %j with BAD_REQUEST', async (body, message) => {
    const response = await postEventStream(stack.gatewayUrl, body);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(await textOf(response))).toEqual({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('takes Accept case-insensitively', async () => {
    const response = await postEventStream(stack.gatewayUrl, { query: '{ __typename }' }, 'TEXT/Event-Stream');
    expect(response.statusCode).toBe(400);
    const body = JSON.parse(await textOf(response)) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('NOT_A_SUBSCRIPTION');
  });
});
