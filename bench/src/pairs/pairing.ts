import { Pool } from 'undici';
import { z } from 'zod';
import { envVar } from '@potluck/service';
import { localServers, whole } from '../configFields.js';
import { post, signed } from '../gateways/closedLoop.js';
import { body, FLOOR_ENTITIES_QUERY, isGraphQLSuccess } from '../gateways/queries.js';

/*
 * What both paired benchmarks share (`npm run bench:pair`, `npm run bench:pair:gateway`): their
 * settings, one distinct page asked of the subgraphs directly, and the order of each page's
 * sides, alternated so every side shares every moment of the VM's speed.
 */

export type Side = 'A' | 'B';

const envObject = z
  .string()
  .default('{}')
  .transform((text, ctx) => {
    try {
      return z.record(z.string(), z.string()).parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of strings, e.g. {"NODE_ENV":"production"}' });
      return z.NEVER;
    }
  });

export const pairSettings = {
  /** Variables added to side A's / side B's environment. */
  PAIR_A_ENV: envObject,
  PAIR_B_ENV: envObject,
  /** A checkout (with its node_modules) to run side A / side B from; this one by default. */
  PAIR_A_CHECKOUT: z.string().optional(),
  PAIR_B_CHECKOUT: z.string().optional(),
  /** Unmeasured pages first, so both sides' code is optimized before anything counts. */
  PAIR_WARMUP_PAGES: whole(1500),
  PAIR_ROUNDS: whole(6),
  PAIR_PAGES: whole(600),
  /**
   * Pages in flight to one side at a time: 1 asks one at a time (the one-connection regime);
   * more lets requests overlap as `npm run bench`'s 50 connections do (log lines written
   * together, more garbage per collection), still alternating sides group by group.
   */
  PAIR_CONCURRENCY: whole(1),
  /** The services' log level: info, one line per request to a file, as in `npm run bench`. */
  BENCH_LOG_LEVEL: envVar.logLevel(),
  ...localServers,
};

/** The recipes page `after` a cursor, as a planner asks the recipes subgraph for it. */
const RECIPES_PAGE = `query BenchPairRecipes($after: String) { recipes(first: 20, after: $after) { edges { node { id title timeMinutes price } } } }`;

export type Subgraph = 'recipes' | 'comments';

/**
 * One distinct page straight from the subgraphs, as the floor asks for it: the recipes page,
 * then one `_entities` call for its comments, each signed with the gateway credential.
 */
export function subgraphPage(
  origins: Record<Subgraph, string>,
  credential: (subgraph: string) => Promise<string>,
  connections: number,
) {
  const pools = {
    recipes: new Pool(origins.recipes, { connections }),
    comments: new Pool(origins.comments, { connections }),
  };
  const ask = async (subgraph: Subgraph, payload: string) => {
    const text = await post(pools[subgraph], '/graphql', payload, await signed(credential, subgraph));
    if (!isGraphQLSuccess(text)) throw new Error(`${origins[subgraph]} answered: ${text.slice(0, 300)}`);
    return JSON.parse(text);
  };
  return {
    async page(after: string | null): Promise<void> {
      const recipes = await ask('recipes', body(RECIPES_PAGE, { after }));
      const representations = recipes.data.recipes.edges.map(({ node }: { node: { id: string } }) => ({
        __typename: 'Recipe',
        id: node.id,
      }));
      await ask('comments', body(FLOOR_ENTITIES_QUERY, { representations }));
    },
    close: async () => void (await Promise.all(Object.values(pools).map((pool) => pool.close()))),
  };
}

/**
 * `pages` pages, each `after` its cursor, in groups of `concurrency` sent at once: every side
 * gets each group in turn, the order of the sides rotated from one group to the next.
 */
export async function sendPages<Each>(
  sides: Each[],
  send: (side: Each, after: string | null) => Promise<void>,
  cursors: Array<string | null>,
  { pages, offset, concurrency }: { pages: number; offset: number; concurrency: number },
): Promise<void> {
  for (let start = 0, group = 0; start < pages; start += concurrency, group += 1) {
    const size = Math.min(concurrency, pages - start);
    const afters = Array.from({ length: size }, (_, i) => cursors[(offset + start + i) % cursors.length]!);
    const first = group % sides.length;
    for (const side of [...sides.slice(first), ...sides.slice(0, first)]) {
      await Promise.all(afters.map((after) => send(side, after)));
    }
  }
}

/** The middle value of sorted numbers, or the mean of the two middle ones. */
export function median(sorted: number[]): number {
  const middle = sorted.length / 2;
  return Number.isInteger(middle) ? (sorted[middle - 1]! + sorted[middle]!) / 2 : sorted[Math.floor(middle)]!;
}
