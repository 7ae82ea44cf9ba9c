import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayCredentialSigner, GATEWAY_CREDENTIAL_HEADER } from '@potluck/identity';
import { errorCodes, graphqlRequest, testIdentityProvider, testInternalSecret, testUsers } from '@potluck/testing';
import { startRecipesForTest } from './harness.js';

const CREATE = `mutation { createRecipe(input: { title: "Direct", timeMinutes: 1, price: 1 }) { id } }`;
const identities = testIdentityProvider();
let service: Awaited<ReturnType<typeof startRecipesForTest>>;

beforeAll(async () => {
  service = await startRecipesForTest();
});
afterAll(async () => {
  await service?.stop();
  identities.remove();
});

async function refused(headers: Record<string, string>) {
  const before = await service.prisma.recipe.count();
  const response = await graphqlRequest(service.url, CREATE, {}, headers);
  expect(await service.prisma.recipe.count()).toBe(before);
  return { status: response.status, codes: errorCodes(response), message: response.errors?.[0]?.message };
}

describe('a subgraph called directly, not through the gateway', () => {
  it('refuses a request without a gateway credential with 401, even with a valid user token', async () => {
    const bearer = await identities.bearer(testUsers.moderator);
    expect(await refused({ [GATEWAY_CREDENTIAL_HEADER]: '', ...bearer })).toEqual({
      status: 401,
      codes: ['UNAUTHENTICATED'],
      message: 'The recipes subgraph serves only the gateway',
    });
  });

  it('refuses a user token presented as the gateway credential', async () => {
    const token = await identities.token(testUsers.moderator);
    expect(await refused({ [GATEWAY_CREDENTIAL_HEADER]: token })).toMatchObject({
      status: 401,
      codes: ['UNAUTHENTICATED'],
    });
  });

  it('refuses a credential signed with another secret, or for another subgraph', async () => {
    const stranger = createGatewayCredentialSigner(testInternalSecret());
    const forged = await stranger.credentialFor('recipes', testUsers.moderator);
    expect(await refused({ [GATEWAY_CREDENTIAL_HEADER]: forged })).toMatchObject({ status: 401 });
    const genuine = createGatewayCredentialSigner(service.internalSecret);
    const forComments = await genuine.credentialFor('comments', testUsers.moderator);
    expect(await refused({ [GATEWAY_CREDENTIAL_HEADER]: forComments })).toMatchObject({ status: 401 });
  });

  it('refuses reads too: only the gateway may ask', async () => {
    const response = await graphqlRequest(
      service.url,
      '{ recipes { totalCount } }',
      {},
      { [GATEWAY_CREDENTIAL_HEADER]: '' },
    );
    expect(response.status).toBe(401);
  });

  it('keeps the health routes open', async () => {
    const origin = new URL(service.url).origin;
    expect((await fetch(`${origin}/health/live`)).status).toBe(200);
    expect((await fetch(`${origin}/health/ready`)).status).toBe(200);
  });
});
