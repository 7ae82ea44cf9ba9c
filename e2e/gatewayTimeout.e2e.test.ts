import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, graphqlRequest, waitFor } from '@potluck/testing';
import type { ServiceName } from '../scripts/stack.js';
import { startStandInSubgraph, type StandInSubgraph } from './gatewayHelpers.js';
import { useStack } from './stack.js';
import { logEntries } from './stackProbes.js';

/**
 * The real stack, but the gateway's comments URL points at a stand-in that holds every
 * request (a subgraph that hangs) or answers it, so the gateway's deadline is what ends
 * the request. That deadline is comments' own override, far below the default for the others.
 */
const TIMEOUT_MS = 1000;
const DEFAULT_TIMEOUT_MS = 30_000;
let comments: StandInSubgraph;
let recipeId: string;

const BOTH_SUBGRAPHS = 'query Both($r: ID!, $c: ID!) { recipe(id: $r) { id title } comment(id: $c) { id text } }';

beforeAll(async () => {
  comments = await startStandInSubgraph({ kind: 'hold' });
});

afterAll(async () => {
  await comments?.close();
});

const stack = useStack(() => ({
  gateway: {
    COMMENTS_URL: comments.url,
    SUBGRAPH_TIMEOUT_MS: String(DEFAULT_TIMEOUT_MS),
    COMMENTS_TIMEOUT_MS: String(TIMEOUT_MS),
  },
}));

beforeAll(async () => {
  const created = await graphqlRequest<{ createRecipe: { id: string } }>(
    stack.gatewayUrl,
    'mutation { createRecipe(input: { title: "Dal", timeMinutes: 40, price: 3 }) { id } }',
  );
  recipeId = created.data!.createRecipe.id;
});

// Registered after the stack, so it runs first: the gateway stops with no request held.
afterAll(() => {
  comments?.release({ data: null });
});

/** A service's log line with this message for this request id, once written. */
function logLine(service: ServiceName, requestId: string, msg: string) {
  return logEntries(stack, service).find((line) => line.requestId === requestId && line.msg === msg);
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

describe('a subgraph that does not answer', () => {
  it('costs at most its own timeout: the other subgraph’s data comes back, with SUBGRAPH_TIMEOUT for the missing field', async () => {
    const [response, elapsed] = await timed(() =>
      graphqlRequest(stack.gatewayUrl, BOTH_SUBGRAPHS, { r: recipeId, c: randomUUID() }),
    );

    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 2000);
    expect(response.data).toEqual({ recipe: { id: recipeId, title: 'Dal' }, comment: null });
    expect(errorCodes(response)).toEqual(['SUBGRAPH_TIMEOUT']);
    expect(response.errors?.[0]).toMatchObject({
      message: `The comments subgraph did not answer within ${TIMEOUT_MS} ms`,
      extensions: { serviceName: 'comments' },
    });
  });

  it('never holds a list request longer than the timeout either, and keeps the recipes', async () => {
    const [response, elapsed] = await timed(() =>
      graphqlRequest(stack.gatewayUrl, '{ recipes(first: 5) { edges { node { title comments { totalCount } } } } }'),
    );
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 2000);
    expect(errorCodes(response)).toEqual(['SUBGRAPH_TIMEOUT']);
    expect(response.data).toEqual({ recipes: { edges: [{ node: { title: 'Dal', comments: null } }] } });
  });

  it('does not slow down requests the other subgraph answers alone', async () => {
    const [response, elapsed] = await timed(() =>
      graphqlRequest(stack.gatewayUrl, '{ recipe(id: "' + recipeId + '") { title } }'),
    );
    expect(response.errors).toBeUndefined();
    expect(elapsed).toBeLessThan(TIMEOUT_MS);
  });
});

describe('a subgraph that answers', () => {
  it('is reached over one kept-alive connection', async () => {
    comments.behave({
      kind: 'answer',
      body: () => ({ data: { comment: { id: 'c1', text: 'from the stand-in' } } }),
    });
    const before = comments.connections();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const response = await graphqlRequest(stack.gatewayUrl, BOTH_SUBGRAPHS, { r: recipeId, c: randomUUID() });
      expect(response.data?.comment).toEqual({ id: 'c1', text: 'from the stand-in' });
    }
    expect(comments.connections() - before).toBeLessThanOrEqual(1);
  });
});

describe('identical queries in flight at once', () => {
  it('share one subgraph call, and each joiner’s log line names the request whose call it shared', async () => {
    comments.behave({ kind: 'hold' });
    const before = comments.received.length;
    const variables = { r: recipeId, c: randomUUID() };
    const send = (requestId: string) =>
      graphqlRequest(stack.gatewayUrl, BOTH_SUBGRAPHS, variables, { 'x-request-id': requestId });
    const lead = send('shared-lead');
    await waitFor(() => (comments.received.length > before ? true : undefined), { what: 'the first call' });
    const joiner = send('shared-joiner');
    // The gateway calls both subgraphs at once: when recipes has answered the joiner, its
    // comments call has been made, and joined the one held.
    await waitFor(() => logLine('recipes', 'shared-joiner', 'request completed'), { what: 'the joiner’s calls' });
    comments.release({ data: { comment: { id: 'c2', text: 'once' } } });

    for (const response of await Promise.all([lead, joiner])) {
      expect(response.data?.comment).toEqual({ id: 'c2', text: 'once' });
    }
    expect(comments.received.length - before).toBe(1);
    expect(await waitFor(() => logLine('gateway', 'shared-joiner', 'request completed'))).toMatchObject({
      sharedCallsOf: ['shared-lead'],
    });
    expect(await waitFor(() => logLine('gateway', 'shared-lead', 'request completed'))).not.toHaveProperty(
      'sharedCallsOf',
    );
  });
});

describe('a subgraph that is down', () => {
  it('answers at once with SUBGRAPH_UNAVAILABLE and the other subgraph’s data', async () => {
    await comments.close();
    const [response, elapsed] = await timed(() =>
      graphqlRequest(stack.gatewayUrl, BOTH_SUBGRAPHS, { r: recipeId, c: randomUUID() }),
    );
    expect(elapsed).toBeLessThan(TIMEOUT_MS);
    expect(response.data).toEqual({ recipe: { id: recipeId, title: 'Dal' }, comment: null });
    expect(errorCodes(response)).toEqual(['SUBGRAPH_UNAVAILABLE']);
    expect(response.errors?.[0]?.message).toBe('The comments subgraph is unavailable');
  });
});
