import { Pool } from 'undici';
import { z } from 'zod';
import { envVar, parseEnv } from '@potluck/service';
import { freePort } from '@potluck/testing';
import { waitForReady } from '../../scripts/stack.js';
import { localServers, whole } from './configFields.js';
import { createWorkspace, subgraphProcess, type BenchWorkspace } from './gateways/benchStack.js';
import { post, signed } from './gateways/closedLoop.js';
import { cpuMs, stopProcess, type BenchProcess } from './gateways/processes.js';
import { body, FLOOR_ENTITIES_QUERY, isGraphQLSuccess, pageCursors } from './gateways/queries.js';
import { seedDatabases } from './gateways/seed.js';

/*
 * `npm run bench:pair`: a paired A/B of the subgraphs' CPU per distinct page. Two copies of
 * each subgraph, A and B, on the same seeded databases, are sent the same pages one request
 * at a time, alternating which copy goes first, so both share every moment of the VM's speed
 * and a difference of a few percent shows where `npm run bench` moves by a fifth between runs.
 */

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

const config = parseEnv(
  z.object({
    /** Variables added to copy A's / copy B's environment. */
    PAIR_A_ENV: envObject,
    PAIR_B_ENV: envObject,
    /** A checkout (with its node_modules) to run copy A / copy B from; this one by default. */
    PAIR_A_CHECKOUT: z.string().optional(),
    PAIR_B_CHECKOUT: z.string().optional(),
    /** Unmeasured pages first, so both copies' code is optimized before anything counts. */
    PAIR_WARMUP_PAGES: whole(1500),
    PAIR_ROUNDS: whole(6),
    PAIR_PAGES: whole(600),
    /** The subgraphs' log level: info, one line per request to a file, as in `npm run bench`. */
    BENCH_LOG_LEVEL: envVar.logLevel(),
    ...localServers,
  }),
  process.env,
);

type Side = 'A' | 'B';
type Subgraph = 'recipes' | 'comments';

/** The floor's page `after` a cursor: the recipes page, then one `_entities` call for its comments. */
const RECIPES_PAGE = `query BenchPairRecipes($after: String) { recipes(first: 20, after: $after) { edges { node { id title timeMinutes price } } } }`;

interface Copy {
  side: Side;
  processes: Record<Subgraph, BenchProcess>;
  urls: Record<Subgraph, string>;
  page(after: string | null): Promise<void>;
  close(): Promise<void>;
}

async function startCopy(side: Side, workspace: BenchWorkspace, into: BenchProcess[]): Promise<Copy> {
  const processes = {} as Record<Subgraph, BenchProcess>;
  const urls = {} as Record<Subgraph, string>;
  const pools = {} as Record<Subgraph, Pool>;
  for (const name of ['recipes', 'comments'] as const) {
    const port = await freePort();
    const env = config[`PAIR_${side}_ENV`];
    processes[name] = subgraphProcess(
      name,
      port,
      config,
      workspace,
      env,
      `${name}-${side}`,
      config[`PAIR_${side}_CHECKOUT`],
    );
    into.push(processes[name]);
    await waitForReady(`http://127.0.0.1:${port}/health/ready`, 120_000);
    urls[name] = `http://127.0.0.1:${port}/graphql`;
    pools[name] = new Pool(`http://127.0.0.1:${port}`, { connections: 1 });
  }
  const credential = (subgraph: string) => workspace.auth.credential(subgraph);
  const ask = async (subgraph: Subgraph, payload: string) => {
    const text = await post(pools[subgraph], '/graphql', payload, await signed(credential, subgraph));
    if (!isGraphQLSuccess(text)) throw new Error(`copy ${side}'s ${subgraph} answered: ${text.slice(0, 300)}`);
    return JSON.parse(text);
  };
  return {
    side,
    processes,
    urls,
    async page(after) {
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

/** recipes and comments CPU ms of each copy so far. */
const cpuOf = (copies: Copy[]) =>
  copies.map(({ processes }) => [
    cpuMs(processes.recipes.child.pid) ?? NaN,
    cpuMs(processes.comments.child.pid) ?? NaN,
  ]);

async function sendPages(copies: Copy[], cursors: Array<string | null>, pages: number, offset: number) {
  for (let i = 0; i < pages; i += 1) {
    const after = cursors[(offset + i) % cursors.length]!;
    for (const copy of i % 2 === 0 ? copies : [...copies].reverse()) await copy.page(after);
  }
}

const show = ([recipes, comments]: number[]) =>
  `${recipes!.toFixed(3)} + ${comments!.toFixed(3)} = ${(recipes! + comments!).toFixed(3)}`;

async function measure(copies: Copy[], cursors: Array<string | null>): Promise<number[]> {
  console.log('| round | A: recipes + comments, CPU ms per page | B: the same | B / A |');
  console.log('| --: | --: | --: | --: |');
  const ratios: number[] = [];
  for (let round = 1; round <= config.PAIR_ROUNDS; round += 1) {
    const before = cpuOf(copies);
    await sendPages(copies, cursors, config.PAIR_PAGES, round * 7);
    const perPage = cpuOf(copies).map((now, i) => now.map((ms, j) => (ms - before[i]![j]!) / config.PAIR_PAGES));
    const [a, b] = perPage.map(([recipes, comments]) => recipes! + comments!);
    ratios.push(b! / a!);
    console.log(`| ${round} | ${show(perPage[0]!)} | ${show(perPage[1]!)} | ${(b! / a!).toFixed(3)} |`);
  }
  return ratios.sort((x, y) => x - y);
}

/** The middle value, or the mean of the two middle ones. */
const median = (sorted: number[]) => {
  const middle = sorted.length / 2;
  return Number.isInteger(middle) ? (sorted[middle - 1]! + sorted[middle]!) / 2 : sorted[Math.floor(middle)]!;
};

const workspace = await createWorkspace(config);
const processes: BenchProcess[] = [];
try {
  await seedDatabases(workspace.databases);
  const copies = [await startCopy('A', workspace, processes), await startCopy('B', workspace, processes)];
  const cursors = await pageCursors(copies[0]!.urls.recipes, () => workspace.auth.credential('recipes'));
  await sendPages(copies, cursors, config.PAIR_WARMUP_PAGES, 0);
  const ratios = await measure(copies, cursors);
  console.log(
    `\nB / A: median ${median(ratios).toFixed(3)}, ${ratios[0]!.toFixed(3)}–${ratios.at(-1)!.toFixed(3)} over ${ratios.length} rounds of ${config.PAIR_PAGES} pages`,
  );
  await Promise.all(copies.map((copy) => copy.close()));
} finally {
  await Promise.all(processes.map((running) => stopProcess(running)));
  await workspace.cleanUp();
}
