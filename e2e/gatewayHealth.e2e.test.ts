import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, freePort, graphqlRequest, waitFor } from '@potluck/testing';
import { REPO_ROOT, stopService } from '../scripts/stack.js';
import { logEntries } from './stackProbes.js';
import { useStack } from './stack.js';

/**
 * The gateway serves a copy of the supergraph that this test rewrites: first without
 * Recipe.description, then the full one (a good reload), then broken ones (refused).
 */
const FULL = await readFile(path.join(REPO_ROOT, 'schema/supergraph.graphql'), 'utf8');
const DESCRIPTION_FIELD = /^(\s*""".*"""\n)?\s*description: String! @join__field\(graph: RECIPES\)\n/m;
const WITHOUT_DESCRIPTION = FULL.replace(DESCRIPTION_FIELD, '');
const hashOf = (sdl: string) => createHash('sha256').update(sdl).digest('hex');

interface ReadyReport {
  status: string;
  checks: Record<
    string,
    {
      status: string;
      latencyMs: number;
      hash?: string;
      loadedAt?: string;
      loaded?: boolean;
      lastRefused?: { hash: string; reason: string };
    }
  >;
}

let dir: string;
let supergraphFile: string;

beforeAll(async () => {
  expect(WITHOUT_DESCRIPTION).not.toBe(FULL);
  dir = await mkdtemp(path.join(tmpdir(), 'potluck-supergraph-'));
  supergraphFile = path.join(dir, 'supergraph.graphql');
  await writeFile(supergraphFile, WITHOUT_DESCRIPTION);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const stack = useStack(() => ({ gateway: { SUPERGRAPH_PATH: supergraphFile, SUPERGRAPH_POLL_MS: '50' } }));

async function ready(): Promise<{ status: number; body: ReadyReport }> {
  const response = await fetch(stack.gatewayUrl.replace('/graphql', '/health/ready'));
  return { status: response.status, body: (await response.json()) as ReadyReport };
}

const gatewayLogs = () => logEntries(stack, 'gateway');

describe('readiness', () => {
  it('reports the supergraph (loaded, hash, when) and each subgraph (status, latency)', async () => {
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.checks.supergraph).toMatchObject({ status: 'up', loaded: true, hash: hashOf(WITHOUT_DESCRIPTION) });
    expect(Date.parse(body.checks.supergraph!.loadedAt!)).toBeLessThanOrEqual(Date.now());
    for (const name of ['recipes', 'comments']) {
      expect(body.checks[name]).toEqual({ status: 'up', latencyMs: expect.any(Number) });
    }
    const live = await fetch(stack.gatewayUrl.replace('/graphql', '/health/live'));
    expect(await live.json()).toEqual({ status: 'live', service: 'gateway' });
  });
});

describe('supergraph reload', () => {
  const description = (id: string) =>
    graphqlRequest(stack.gatewayUrl, 'query($id: ID!) { recipe(id: $id) { description } }', { id });

  it('serves a changed supergraph file without a restart', async () => {
    const created = await graphqlRequest<{ createRecipe: { id: string } }>(
      stack.gatewayUrl,
      'mutation { createRecipe(input: { title: "Pho", description: "Beef broth", timeMinutes: 240, price: 9 }) { id } }',
    );
    const id = created.data!.createRecipe.id;
    expect(errorCodes(await description(id))).toEqual(['GRAPHQL_VALIDATION_FAILED']);

    await writeFile(supergraphFile, FULL);

    const reloaded = await waitFor(async () => {
      const { body } = await ready();
      return body.checks.supergraph?.hash === hashOf(FULL) ? body : undefined;
    });
    expect(reloaded.status).toBe('ready');
    expect((await description(id)).data).toEqual({ recipe: { description: 'Beef broth' } });
    expect(gatewayLogs().some((line) => line.msg === 'reloaded the supergraph' && line.hash === hashOf(FULL))).toBe(
      true,
    );
  });

  const unreachable = async () => `http://127.0.0.1:${await freePort()}/graphql`;
  const broken: Array<[string, () => Promise<string>, RegExp]> = [
    ['does not parse', async () => 'this is { not GraphQL', /Syntax Error/],
    ['is not a supergraph', async () => 'type Query { hello: String }', /no join__Graph enum/],
    [
      'does not build (its core schema link is gone)',
      async () => FULL.replace(/^schema\n(\s+@link.*\n)+/m, 'schema\n'),
      /must be a core schema/,
    ],
    [
      'fails the health check (a subgraph it names does not answer)',
      async () =>
        FULL.replace(
          'enum join__Graph {',
          `enum join__Graph {\n  EXTRA @join__graph(name: "extra", url: "${await unreachable()}")`,
        ),
      /health check failed/,
    ],
  ];

  it.each(broken)(
    'refuses a supergraph that %s, logs why, and keeps serving the previous one',
    async (_what, sdlOf, reason) => {
      const sdl = await sdlOf();
      await writeFile(supergraphFile, sdl);

      const refusal = await waitFor(() =>
        gatewayLogs().find(
          (line) =>
            line.msg === 'refused the new supergraph; still serving the previous one' && line.hash === hashOf(sdl),
        ),
      );
      expect(String(refusal.reason)).toMatch(reason);
      const { status, body } = await ready();
      expect(status).toBe(200);
      expect(body.checks.supergraph).toMatchObject({ hash: hashOf(FULL), lastRefused: { hash: hashOf(sdl) } });
      const list = await graphqlRequest(
        stack.gatewayUrl,
        '{ recipes(first: 1) { totalCount edges { node { description comments { totalCount } } } } }',
      );
      expect(list.errors).toBeUndefined();
    },
  );
});

describe('a subgraph that stops', () => {
  it('leaves the gateway ready for traffic but degraded (200), naming it', async () => {
    const comments = stack.processes.find((service) => service.name === 'comments')!;
    expect(await stopService(comments)).toBe(0);

    const { status, body } = await waitFor(async () => {
      const report = await ready();
      return report.body.status === 'degraded' ? report : undefined;
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'degraded',
      checks: {
        supergraph: { status: 'up' },
        recipes: { status: 'up' },
        comments: { status: 'down', error: expect.any(String) },
      },
    });
  });
});
