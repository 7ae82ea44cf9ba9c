import type { GatewayName, RunningBench } from './benchStack.js';
import { runAutocannon } from './autocannonLoad.js';
import { floorExchange, gatewayExchange, openPools, runClosedLoop } from './closedLoop.js';
import type { LoadSample } from './loadSample.js';
import { body, CREATE_RECIPE_INPUT, CREATE_RECIPE_MUTATION, pageQuery, RECIPE_BY_ID_QUERY } from './queries.js';

export type ScenarioId =
  | 'page:potluck'
  | 'page:apollo'
  | 'page:hive'
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
  /** The gateway under test, if any (its RSS is the one quoted). */
  gateway?: GatewayName;
  /** Interleaved with the others over the rounds (reads), or run once at the end (what changes data). */
  interleaved: boolean;
  run(seconds: number): Promise<LoadSample>;
}

export const PAGE_SIZE = 20;

/** Every scenario of one run, against the running stack; `recipeIds` are the seeded ids. */
export function scenarios(bench: RunningBench, connections: number, recipeIds: string[]): Scenario[] {
  const { urls } = bench;
  const page = body(pageQuery(PAGE_SIZE));
  const autocannonPage = (gateway: GatewayName): Scenario => ({
    id: `page:${gateway}`,
    title: `page of ${PAGE_SIZE} recipes × 5 comments via ${GATEWAY_TITLES[gateway]}`,
    client: 'autocannon',
    connections,
    gateway,
    interleaved: true,
    run: (seconds) => runAutocannon({ url: urls[gateway], body: page }, connections, seconds),
  });
  const closed = (id: ScenarioId, title: string, count: number, exchange: 'floor' | 'potluck'): Scenario => ({
    id,
    title,
    client: 'bench client',
    connections: count,
    ...(exchange === 'potluck' && { gateway: 'potluck' as const }),
    interleaved: true,
    run: async (seconds) => {
      const { pools, close } = openPools([urls.recipes, urls.comments, urls.potluck], count);
      const [recipes, comments, gateway] = pools as [(typeof pools)[0], (typeof pools)[0], (typeof pools)[0]];
      try {
        const run =
          exchange === 'floor'
            ? floorExchange(recipes, comments, urls, PAGE_SIZE)
            : gatewayExchange(gateway, urls.potluck, page);
        return await runClosedLoop(run, count, seconds);
      } finally {
        await close();
      }
    },
  });
  let next = 0;
  const byIdBodies = recipeIds.map((id) => body(RECIPE_BY_ID_QUERY, { id }));
  return [
    autocannonPage('potluck'),
    autocannonPage('apollo'),
    autocannonPage('hive'),
    closed('floor', 'floor: recipes page, then one _entities call to comments', connections, 'floor'),
    closed(
      'page:potluck:bench-client',
      "page via Potluck's gateway, driven by the floor's client",
      connections,
      'potluck',
    ),
    closed('floor:1-connection', 'floor, 1 connection (no queueing)', 1, 'floor'),
    closed('page:potluck:1-connection', "page via Potluck's gateway, 1 connection", 1, 'potluck'),
    {
      id: 'recipe-by-id:potluck',
      title: "one recipe by id via Potluck's gateway",
      client: 'autocannon',
      connections,
      gateway: 'potluck',
      interleaved: false,
      run: (seconds) =>
        runAutocannon(
          { url: urls.potluck, nextBody: () => byIdBodies[next++ % byIdBodies.length]! },
          connections,
          seconds,
        ),
    },
    {
      id: 'create-recipe:potluck',
      title: "createRecipe via Potluck's gateway",
      client: 'autocannon',
      connections,
      gateway: 'potluck',
      interleaved: false,
      run: (seconds) =>
        runAutocannon(
          { url: urls.potluck, body: body(CREATE_RECIPE_MUTATION, { input: CREATE_RECIPE_INPUT }) },
          connections,
          seconds,
        ),
    },
  ];
}

export const GATEWAY_TITLES: Record<GatewayName, string> = {
  potluck: "Potluck's gateway",
  apollo: 'stock Apollo Gateway',
  hive: 'Hive Gateway',
};
