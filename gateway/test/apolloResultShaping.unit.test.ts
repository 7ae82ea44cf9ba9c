import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resultShapingInUse, SHAPES_LIKE_APOLLO_GATEWAY, useResultShaping } from '../src/apolloResultShaping.js';
import { computeResponse } from '../src/resultShaping.js';

const apolloModule = createRequire(import.meta.url)('@apollo/gateway/dist/resultShaping.js') as {
  computeResponse: typeof computeResponse;
};

/** Canned subgraph answers for one recipe with one comment: the plan's two fetches, with no network. */
const canned = (name: string): GraphQLDataSource => ({
  async process({ request }) {
    if (name === 'recipes') {
      return { data: { recipe: { __typename: 'Recipe', id: 'r1', title: 'Bread', unasked: 'dropped' } } };
    }
    const representations = request.variables!.representations as Array<{ id: string }>;
    return {
      data: {
        _entities: representations.map(() => ({ comments: { totalCount: 1, edges: [{ node: { text: 'Lovely' } }] } })),
      },
    };
  },
});

async function askForARecipe() {
  const server = new ApolloServer({
    gateway: new ApolloGateway({
      supergraphSdl: readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8'),
      buildService: ({ name }) => canned(name),
    }),
  });
  await server.start();
  try {
    const response = await server.executeOperation({
      query: '{ recipe(id: "r1") { title comments(first: 1) { totalCount edges { node { text } } } } }',
    });
    return response.body.kind === 'single' ? response.body.singleResult : undefined;
  } finally {
    await server.stop();
  }
}

afterEach(() => {
  useResultShaping('potluck');
});

describe('RESULT_SHAPING: whose result shaping Apollo Gateway runs', () => {
  it("puts Potluck's where Apollo Gateway's executor looks for it, and Apollo's back", async () => {
    useResultShaping('potluck');
    expect(resultShapingInUse()).toBe('potluck');
    const spy = vi.fn(computeResponse);
    apolloModule.computeResponse = spy;
    const result = await askForARecipe();
    expect(spy).toHaveBeenCalledOnce();
    expect(result).toEqual({
      data: { recipe: { title: 'Bread', comments: { totalCount: 1, edges: [{ node: { text: 'Lovely' } }] } } },
    });

    expect(resultShapingInUse()).toBe('other');
    useResultShaping('apollo');
    expect(resultShapingInUse()).toBe('apollo');
    expect(apolloModule.computeResponse).not.toBe(spy);
    expect(await askForARecipe()).toEqual(result);
    expect(spy).toHaveBeenCalledOnce();
  });

  it("keeps Apollo's over an Apollo Gateway other than the one it was checked against", () => {
    expect(useResultShaping('potluck', '2.15.0')).toBe('apollo');
    expect(resultShapingInUse()).toBe('apollo');
    expect(useResultShaping('potluck')).toBe('potluck');
    expect(resultShapingInUse()).toBe('potluck');
  });

  it('was checked against the Apollo Gateway the gateway pins, over the one federation-internals Apollo Gateway uses', () => {
    const gatewayPackage = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(gatewayPackage.dependencies['@apollo/gateway']).toBe(SHAPES_LIKE_APOLLO_GATEWAY);
    expect(gatewayPackage.dependencies['@apollo/federation-internals']).toBe(SHAPES_LIKE_APOLLO_GATEWAY);
    const fromGateway = createRequire(new URL('../src/resultShaping.ts', import.meta.url));
    const fromApollo = createRequire(fromGateway.resolve('@apollo/gateway'));
    expect(fromGateway.resolve('@apollo/federation-internals')).toBe(
      fromApollo.resolve('@apollo/federation-internals'),
    );
  });
});
