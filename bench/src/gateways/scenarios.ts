import type { RunningBench } from './benchStack.js';
import { GATEWAY_TITLES, GATEWAYS, type GatewayName } from './gatewayNames.js';
import { runAutocannon, type HttpTarget } from './autocannonLoad.js';
import { floorExchange, gatewayExchange, openPools, runClosedLoop } from './closedLoop.js';
import type { LoadSample } from './loadSample.js';
import {
  body,
  CREATE_RECIPE_INPUT,
  CREATE_RECIPE_MUTATION,
  PAGES_QUERY,
  pageQuery,
  RECIPE_BY_ID_QUERY,
} from './queries.js';

export type ScenarioId =
  | `page:${GatewayName}`
  | `pages:${GatewayName}`
  | 'floor'
  | 'page:potluck:bench-client'
  | 'floor:1-connection'
  | 'page:potluck:1-connection'
  | 'recipe-by-id:potluck'
  | 'create-recipe:potluck';

export interface Scenario {
  id: ScenarioId;
  title: string;
  /** The load generator: autocannon, or the benchmark's own closed loop where requests must chain. */
  client: 'autocannon' | 'bench client';
  connections: number;
  /** The gateway under test, if any (its RSS and CPU are the ones quoted). */
  gateway?: GatewayName;
  /** Interleaved with the others over the rounds (reads), or run once at the end (what changes data). */
  interleaved: boolean;
  run(seconds: number): Promise<LoadSample>;
}

export const PAGE_SIZE = 20;

/** What each scenario needs from the seeded data: recipe ids, and the cursor of every page of 20. */
export interface SeedFacts {
  recipeIds: string[];
  cursors: Array<string | null>;
}

function roundRobin(bodies: string[]): () => string {
  let next = 0;
  return () => bodies[next++ % bodies.length]!;
}

function autocannonScenario(
  id: ScenarioId,
  title: string,
  gateway: GatewayName,
  connections: number,
  target: HttpTarget,
  interleaved = true,
): Scenario {
  return {
    id,
    title,
    client: 'autocannon',
    connections,
    gateway,
    interleaved,
    run: (s) => runAutocannon(target, connections, s),
  };
}

/** The floor, or Potluck's gateway driven by the floor's own client (like for like). */
function closedScenario(id: ScenarioId, title: string, bench: RunningBench, connections: number): Scenario {
  const { urls } = bench;
  const throughGateway = id.startsWith('page:potluck');
  return {
    id,
    title,
    client: 'bench client',
    connections,
    ...(throughGateway && { gateway: 'potluck' as const }),
    interleaved: true,
    async run(seconds) {
      const { pools, close } = openPools([urls.recipes, urls.comments, urls.potluck], connections);
      const [recipes, comments, gateway] = pools as [(typeof pools)[0], (typeof pools)[0], (typeof pools)[0]];
      const exchange = throughGateway
        ? gatewayExchange(gateway, urls.potluck, body(pageQuery(PAGE_SIZE)))
        : floorExchange(recipes, comments, urls, (subgraph) => bench.auth.credential(subgraph), PAGE_SIZE);
      try {
        return await runClosedLoop(exchange, connections, seconds);
      } finally {
        await close();
      }
    },
  };
}

/**
 * Every scenario of one run against the running stack, in the order they are reported. Reads
 * go through the gateways anonymously; the write signs in with a user token.
 */
export async function scenarios(bench: RunningBench, connections: number, seed: SeedFacts): Promise<Scenario[]> {
  const { urls } = bench;
  const signedIn = { authorization: await bench.auth.authorization() };
  const page = body(pageQuery(PAGE_SIZE));
  const pages = roundRobin(seed.cursors.map((after) => body(PAGES_QUERY, { after })));
  const byId = roundRobin(seed.recipeIds.map((id) => body(RECIPE_BY_ID_QUERY, { id })));
  const create = body(CREATE_RECIPE_MUTATION, { input: CREATE_RECIPE_INPUT });
  return [
    ...GATEWAYS.map((gateway) =>
      autocannonScenario(
        `page:${gateway}`,
        `page of ${PAGE_SIZE} × 5 comments via ${GATEWAY_TITLES[gateway]}`,
        gateway,
        connections,
        {
          url: urls[gateway],
          body: page,
        },
      ),
    ),
    closedScenario('floor', 'floor: recipes page, then one _entities call', bench, connections),
    closedScenario('page:potluck:bench-client', "page via Potluck's gateway, the floor's client", bench, connections),
    ...GATEWAYS.map((gateway) =>
      autocannonScenario(
        `pages:${gateway}`,
        `every page in turn (distinct requests) via ${GATEWAY_TITLES[gateway]}`,
        gateway,
        connections,
        {
          url: urls[gateway],
          nextBody: pages,
        },
      ),
    ),
    closedScenario('floor:1-connection', 'floor, 1 connection', bench, 1),
    closedScenario('page:potluck:1-connection', "page via Potluck's gateway, 1 connection", bench, 1),
    autocannonScenario(
      'recipe-by-id:potluck',
      "one recipe by id via Potluck's gateway",
      'potluck',
      connections,
      { url: urls.potluck, nextBody: byId },
      false,
    ),
    autocannonScenario(
      'create-recipe:potluck',
      "createRecipe via Potluck's gateway",
      'potluck',
      connections,
      { url: urls.potluck, body: create, headers: signedIn },
      false,
    ),
  ];
}
