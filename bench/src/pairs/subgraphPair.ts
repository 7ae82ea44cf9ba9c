import { z } from 'zod';
import { parseEnv } from '@potluck/service';
import { freePort } from '@potluck/testing';
import { waitForReady } from '../../../scripts/stack.js';
import { createWorkspace, subgraphProcess, type BenchWorkspace } from '../gateways/benchStack.js';
import { cpuMs, stopProcess, type BenchProcess } from '../gateways/processes.js';
import { pageCursors } from '../gateways/queries.js';
import { seedDatabases } from '../gateways/seed.js';
import { median, pairSettings, sendPages, subgraphPage, type Side, type Subgraph } from './pairing.js';

/*
 * `npm run bench:pair`: a paired A/B of the subgraphs' CPU per distinct page. Two copies of
 * each subgraph, A and B, on the same seeded databases, are sent the same pages one request
 * at a time, alternating which copy goes first, so both share every moment of the VM's speed
 * and a difference of a few percent shows where `npm run bench` moves by a fifth between runs.
 */

const config = parseEnv(z.object(pairSettings), process.env);
const concurrency = config.PAIR_CONCURRENCY;

interface Copy {
  side: Side;
  processes: Record<Subgraph, BenchProcess>;
  origins: Record<Subgraph, string>;
  page(after: string | null): Promise<void>;
  close(): Promise<void>;
}

async function startCopy(side: Side, workspace: BenchWorkspace, into: BenchProcess[]): Promise<Copy> {
  const processes = {} as Record<Subgraph, BenchProcess>;
  const origins = {} as Record<Subgraph, string>;
  for (const name of ['recipes', 'comments'] as const) {
    const port = await freePort();
    const env = config[`PAIR_${side}_ENV`];
    const checkout = config[`PAIR_${side}_CHECKOUT`];
    processes[name] = subgraphProcess(name, port, config, workspace, env, `${name}-${side}`, checkout);
    into.push(processes[name]);
    origins[name] = `http://127.0.0.1:${port}`;
    await waitForReady(`${origins[name]}/health/ready`, 120_000);
  }
  const pages = subgraphPage(origins, (subgraph) => workspace.auth.credential(subgraph), config.PAIR_CONCURRENCY);
  return { side, processes, origins, ...pages };
}

/** recipes and comments CPU ms of each copy so far. */
const cpuOf = (copies: Copy[]) =>
  copies.map(({ processes }) => [
    cpuMs(processes.recipes.child.pid) ?? NaN,
    cpuMs(processes.comments.child.pid) ?? NaN,
  ]);

const show = ([recipes, comments]: number[]) =>
  `${recipes!.toFixed(3)} + ${comments!.toFixed(3)} = ${(recipes! + comments!).toFixed(3)}`;

const send = (copy: Copy, after: string | null) => copy.page(after);

async function measure(copies: Copy[], cursors: Array<string | null>): Promise<number[]> {
  console.log('| round | A: recipes + comments, CPU ms per page | B: the same | B / A |');
  console.log('| --: | --: | --: | --: |');
  const ratios: number[] = [];
  for (let round = 1; round <= config.PAIR_ROUNDS; round += 1) {
    const before = cpuOf(copies);
    await sendPages(copies, send, cursors, { pages: config.PAIR_PAGES, offset: round * 7, concurrency });
    const perPage = cpuOf(copies).map((now, i) => now.map((ms, j) => (ms - before[i]![j]!) / config.PAIR_PAGES));
    const [a, b] = perPage.map(([recipes, comments]) => recipes! + comments!);
    ratios.push(b! / a!);
    console.log(`| ${round} | ${show(perPage[0]!)} | ${show(perPage[1]!)} | ${(b! / a!).toFixed(3)} |`);
  }
  return ratios.sort((x, y) => x - y);
}

const workspace = await createWorkspace(config);
const processes: BenchProcess[] = [];
try {
  await seedDatabases(workspace.databases);
  const copies = [await startCopy('A', workspace, processes), await startCopy('B', workspace, processes)];
  const cursors = await pageCursors(`${copies[0]!.origins.recipes}/graphql`, () =>
    workspace.auth.credential('recipes'),
  );
  await sendPages(copies, send, cursors, { pages: config.PAIR_WARMUP_PAGES, offset: 0, concurrency });
  const ratios = await measure(copies, cursors);
  console.log(
    `\nB / A: median ${median(ratios).toFixed(3)}, ${ratios[0]!.toFixed(3)}–${ratios.at(-1)!.toFixed(3)} over ${ratios.length} rounds of ${config.PAIR_PAGES} pages, ${concurrency} at a time`,
  );
  await Promise.all(copies.map((copy) => copy.close()));
} finally {
  await Promise.all(processes.map((running) => stopProcess(running)));
  await workspace.cleanUp();
}
