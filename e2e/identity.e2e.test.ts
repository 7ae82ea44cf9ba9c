import { generateKeyPairSync } from 'node:crypto';
import { importJWK, SignJWT, UnsecuredJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_CREDENTIAL_HEADER, type User } from '@potluck/identity';
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import {
  createBrokerUser,
  errorCodes,
  graphqlRequest,
  queryRows,
  recipeEventFixture,
  testUsers,
  waitFor,
  type GraphQLResponse,
} from '@potluck/testing';
import { logEntries, parkedCount } from './stackProbes.js';
import { startStack, type TestStack } from './stack.js';

const { ana, joe, moderator } = testUsers;
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
}, 120_000);
afterAll(async () => {
  const codes = await stack?.stop();
  expect(codes, stack?.logs.join('\n')).toEqual([0, 0, 0]);
});

const CREATE = `mutation($title: String!) {
  createRecipe(input: { title: $title, timeMinutes: 10, price: "5" }) { id author { id name } } }`;
const UPDATE = `mutation($id: ID!) { updateRecipe(id: $id, input: { title: "Taken over" }) { id title } }`;
const DELETE = `mutation($id: ID!) { deleteRecipe(id: $id) }`;
const ADD_COMMENT = `mutation($input: AddCommentInput!) { addComment(input: $input) { id author { id name } } }`;
const DELETE_COMMENT = `mutation($id: ID!) { deleteComment(id: $id) }`;

function as(user: User | null, query: string, variables: Record<string, unknown> = {}) {
  return graphqlRequest<Record<string, { id: string } & Record<string, unknown>>>(
    stack.gatewayUrl,
    query,
    variables,
    {},
    { as: user },
  );
}

function withToken(authorization: string, query = '{ viewer { id } recipes { totalCount } }') {
  return graphqlRequest(stack.gatewayUrl, query, {}, { authorization });
}

async function recipeBy(user: User): Promise<string> {
  const response = await as(user, CREATE, { title: `by ${user.id}` });
  expect(response.errors).toBeUndefined();
  return response.data!.createRecipe!.id;
}

async function commentBy(user: User, recipeId: string): Promise<string> {
  const response = await as(user, ADD_COMMENT, { input: { recipeId, text: `from ${user.id}` } });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!.addComment!.id;
}

const recipeRow = async (id: string) =>
  (await queryRows(stack.databaseUrls.recipes, `SELECT title, version FROM recipes WHERE id = '${id}'`))[0];

function refusal(response: GraphQLResponse<unknown>) {
  return { status: response.status, codes: errorCodes(response) };
}

describe('signing in at the gateway', () => {
  it('serves reads to anyone, and viewer is who the token names', async () => {
    expect((await as(null, '{ viewer { id } recipes { totalCount } }')).data).toMatchObject({ viewer: null });
    expect((await as(ana, '{ viewer { id name } }')).data).toEqual({ viewer: { id: 'ana', name: 'Ana' } });
  });

  it('refuses every mutation without a token with UNAUTHENTICATED, and writes nothing', async () => {
    const before = await queryRows(stack.databaseUrls.recipes, 'SELECT id FROM recipes');
    expect(refusal(await as(null, CREATE, { title: 'anonymous' }))).toEqual({
      status: 401,
      codes: ['UNAUTHENTICATED'],
    });
    expect(await queryRows(stack.databaseUrls.recipes, 'SELECT id FROM recipes')).toEqual(before);
  });

  it('refuses a bad token with 401, never serving it as anonymous, even for a read', async () => {
    const now = Math.floor(Date.now() / 1000);
    const dev = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(stack.identities.devFile, 'utf8'))) as {
      kid: string;
      privateJwk: JWK;
    };
    const sign = async (edit: (jwt: SignJWT) => SignJWT, jwk: JWK = dev.privateJwk) =>
      edit(
        new SignJWT({ roles: ['moderator'] })
          .setProtectedHeader({ alg: 'ES256', kid: dev.kid })
          .setIssuer('potluck-dev')
          .setAudience('potluck')
          .setSubject('mo')
          .setExpirationTime(now + 600),
      ).sign(await importJWK(jwk, 'ES256'));
    const valid = await stack.identities.token(ana);
    const [header, payload, signature] = valid.split('.');
    const elevated = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), roles: ['moderator'] }),
    ).toString('base64url');
    const foreignKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as JWK;
    const tokens = {
      tampered: `${header}.${elevated}.${signature}`,
      expired: await sign((jwt) => jwt.setExpirationTime(now - 3600)),
      'alg none': new UnsecuredJWT({ roles: ['moderator'] })
        .setIssuer('potluck-dev')
        .setAudience('potluck')
        .setSubject('mo')
        .setExpirationTime(now + 600)
        .encode(),
      'foreign key': await sign((jwt) => jwt, foreignKey),
      'wrong audience': await sign((jwt) => jwt.setAudience('another-app')),
      garbage: 'not.a.token',
    };
    for (const [name, token] of Object.entries(tokens)) {
      const response = await withToken(`Bearer ${token}`);
      expect({ name, ...refusal(response), data: response.data }).toEqual({
        name,
        status: 401,
        codes: ['UNAUTHENTICATED'],
        data: undefined,
      });
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
    }
  });

  it('ignores a gateway credential a client sends: the gateway signs its own', async () => {
    const response = await graphqlRequest(
      stack.gatewayUrl,
      '{ viewer { id } }',
      {},
      { [GATEWAY_CREDENTIAL_HEADER]: 'forged' },
      { as: null },
    );
    expect(response.data).toEqual({ viewer: null });
  });
});

describe('who may change what, enforced through the gateway', () => {
  it("refuses another user's update and delete of a recipe with FORBIDDEN and changes nothing", async () => {
    const id = await recipeBy(ana);
    const before = await recipeRow(id);
    expect(refusal(await as(joe, UPDATE, { id }))).toMatchObject({ codes: ['FORBIDDEN'] });
    expect(refusal(await as(joe, DELETE, { id }))).toMatchObject({ codes: ['FORBIDDEN'] });
    expect(await recipeRow(id)).toEqual(before);
  });

  it("lets a moderator update and delete anyone's recipe", async () => {
    const id = await recipeBy(ana);
    expect((await as(moderator, UPDATE, { id })).data).toEqual({ updateRecipe: { id, title: 'Taken over' } });
    expect((await as(moderator, DELETE, { id })).data).toEqual({ deleteRecipe: id });
  });

  it("refuses another user's comment deletion, and lets the author and a moderator delete", async () => {
    const recipeId = await recipeBy(ana);
    const joes = await commentBy(joe, recipeId);
    const anas = await commentBy(ana, recipeId);
    expect(refusal(await as(ana, DELETE_COMMENT, { id: joes }))).toMatchObject({ codes: ['FORBIDDEN'] });
    expect((await as(joe, DELETE_COMMENT, { id: joes })).data).toEqual({ deleteComment: joes });
    expect((await as(moderator, DELETE_COMMENT, { id: anas })).data).toEqual({ deleteComment: anas });
  });

  it("makes the token's user the author: a client cannot name another", async () => {
    const recipeId = await recipeBy(ana);
    const spoofed = await as(joe, ADD_COMMENT, { input: { recipeId, text: 'hi', author: 'ana' } });
    expect(errorCodes(spoofed)).toEqual(['BAD_USER_INPUT']);
    expect(spoofed.errors?.[0]?.message).toContain('author');
    const added = await as(joe, ADD_COMMENT, { input: { recipeId, text: 'hi' } });
    expect(added.data?.addComment).toMatchObject({ author: { id: 'joe', name: 'Joe' } });
    const rows = await queryRows(
      stack.databaseUrls.comments,
      `SELECT author_id FROM comments WHERE recipe_id = '${recipeId}'`,
    );
    expect(rows).toEqual([{ author_id: 'joe' }]);
  });
});

describe('the subgraphs, called directly', () => {
  it.each(['recipes', 'comments'] as const)(
    'refuse %s requests that do not come from the gateway, even with a valid user token',
    async (name) => {
      const url = name === 'recipes' ? stack.recipesUrl : stack.commentsUrl;
      const response = await graphqlRequest(
        url,
        CREATE,
        { title: 'direct' },
        { [GATEWAY_CREDENTIAL_HEADER]: '', ...(await stack.identities.bearer(moderator)) },
      );
      expect(refusal(response)).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });
      const health = await fetch(new URL('/health/ready', url));
      expect(health.status).toBe(200);
    },
  );
});

describe('events', () => {
  it("carry who acted into the other service's logs and replica", async () => {
    const requestId = `identity-${Date.now()}`;
    const created = await graphqlRequest<{ createRecipe: { id: string } }>(
      stack.gatewayUrl,
      CREATE,
      { title: 'traced' },
      { 'x-request-id': requestId },
      { as: joe },
    );
    expect(created.errors).toBeUndefined();
    const consumed = await waitFor(
      () =>
        logEntries(stack, 'comments').find((line) => line.msg === 'event consumed' && line.correlationId === requestId),
      { what: 'comments consuming the recipe.created event' },
    );
    expect(consumed).toMatchObject({ type: 'recipe.created', actor: 'joe', outcome: 'applied' });
    const replica = await queryRows(
      stack.databaseUrls.comments,
      `SELECT changed_by FROM recipe_replica WHERE id = '${created.data!.createRecipe.id}'`,
    );
    expect(replica).toEqual([{ changed_by: 'joe' }]);
  });
});

describe('the broker', () => {
  it('parks a well-formed event published under another RabbitMQ login, and never applies it', async () => {
    const exchange = `${stack.amqpPrefix}.recipes.events`;
    const mallory = await createBrokerUser('mallory', { configure: '^$', write: `^${exchange}$`, read: '^$' });
    const recipeId = randomUUID();
    const forged = recipeEventFixture('recipe.created', recipeId, 1);
    const parkedBefore = await parkedCount(stack, ['comments']);
    const connection = await amqp.connect(mallory.url);
    try {
      const channel = await connection.createConfirmChannel();
      channel.publish(exchange, forged.type, Buffer.from(JSON.stringify(forged)), {
        messageId: forged.id,
        type: forged.type,
        contentType: 'application/json',
        persistent: true,
        userId: mallory.name,
      });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
      await mallory.remove();
    }
    await waitFor(async () => ((await parkedCount(stack, ['comments'])) > parkedBefore ? true : undefined), {
      what: 'the forged event to be parked',
    });
    const replica = await queryRows(
      stack.databaseUrls.comments,
      `SELECT id FROM recipe_replica WHERE id = '${recipeId}'`,
    );
    expect(replica).toEqual([]);
    const parking = logEntries(stack, 'comments').find(
      (line) => line.msg === 'parking message' && line.messageId === forged.id,
    );
    expect(JSON.stringify(parking)).toContain('untrusted');
  });
});
