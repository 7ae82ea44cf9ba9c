import { Pool } from 'undici';
import { z } from 'zod';
import { parseEnv } from '@potluck/service';
import { freePort } from '@potluck/testing';
import { waitForReady } from '../../../scripts/stack.js';
import {
  apolloPeer,
  createWorkspace,
  potluckGateway,
  subgraphProcess,
  waitForGraphQL,
  writeSupergraph,
  type BenchWorkspace,
} from '../gateways/benchStack.js';
import { post } from '../gateways/closedLoop.js';
import { cpuMs, stopProcess, type BenchProcess } from '../gateways/processes.js';
import { body, isGraphQLSuccess, PAGES_QUERY, pageCursors } from '../gateways/queries.js';
import { seedDatabases } from '../gateways/seed.js';
import { percentile } from '../stats.js';
import { median, pairSettings, sendPages, subgraphPage, type Side, type Subgraph } from './pairing.js';

/*
 * `npm run bench:pair:gateway`: a paired A/B of two gateways in front of the same subgraphs.
 * Each distinct page is asked of gateway A, of gateway B and of the subgraphs directly (the
 * floor), one request at a time, the order rotated from page to page, so all three share every
 * moment of the VM's speed. It reports each gateway's CPU per page and its latency over the
 * floor's at p50, the one-connection overhead of `npm run bench`, paired.
 */

const config = parseEnv(
  z.object({
    ...pairSettings,
    /** Which gateway each side runs: Potluck's (`npm start`'s) or stock Apollo Gateway (no env, no checkout). */
    PAIR_A_GATEWAY: z.enum(['potluck', 'apollo']).default('potluck'),
    PAIR_B_GATEWAY: z.enum(['potluck', 'apollo']).default('potluck'),
  }),
  process.env,
);
const concurrency = config.PAIR_CONCURRENCY;

interface Target {
  name: string;
  /** The gateway's process; none for the floor. */
  process?: BenchProcess;
  page(after: string | null): Promise<void>;
  close(): Promise<void>;
  latenciesMs: number[];
}

function gatewayTarget(name: string, running: BenchProcess, origin: string): Target {
  const pool = new Pool(origin, { connections: config.PAIR_CONCURRENCY });
  return {
    name,
    process: running,
    latenciesMs: [],
    async page(after) {
      const text = await post(pool, '/graphql', body(PAGES_QUERY, { after }));
      if (!isGraphQLSuccess(text)) throw new Error(`${name} answered: ${text.slice(0, 300)}`);
    },
    close: () => pool.close(),
  };
}

async function startGateway(
  side: Side,
  workspace: BenchWorkspace,
  supergraph: string,
  urls: Record<Subgraph, string>,
  into: BenchProcess[],
): Promise<Target> {
  const kind = config[`PAIR_${side}_GATEWAY`];
  const env = config[`PAIR_${side}_ENV`];
  const checkout = config[`PAIR_${side}_CHECKOUT`];
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const name = `${kind}-${side}`;
  if (kind === 'apollo') {
    if (Object.keys(env).length > 0 || checkout)
      throw new Error(`PAIR_${side}_ENV and _CHECKOUT are for Potluck's gateway`);
    const running = apolloPeer(String(port), supergraph, workspace, name);
    into.push(running);
    await waitForGraphQL(`${origin}/graphql`, running);
    return gatewayTarget(name, running, origin);
  }
  const running = potluckGateway(name, port, supergraph, workspace, urls, config.BENCH_LOG_LEVEL, env, checkout);
  into.push(running);
  await waitForReady(`${origin}/health/ready`, 120_000);
  return gatewayTarget(name, running, origin);
}

async function startSubgraphs(workspace: BenchWorkspace, into: BenchProcess[]): Promise<Record<Subgraph, string>> {
  const origins = {} as Record<Subgraph, string>;
  for (const name of ['recipes', 'comments'] as const) {
    const port = await freePort();
    into.push(subgraphProcess(name, port, config, workspace, {}));
    origins[name] = `http://127.0.0.1:${port}`;
    await waitForReady(`${origins[name]}/health/ready`, 120_000);
  }
  return origins;
}

async function timed(target: Target, after: string | null): Promise<void> {
  const started = performance.now();
  await target.page(after);
  target.latenciesMs.push(performance.now() - started);
}

const cpuOf = (gateways: Target[]) => gateways.map((gateway) => cpuMs(gateway.process?.child.pid) ?? NaN);
const p50 = (target: Target) => percentile(target.latenciesMs, 50);

async function measure(targets: Target[], cursors: Array<string | null>) {
  const [a, b, floor] = targets as [Target, Target, Target];
  console.log(
    `| round | CPU ms per page: ${a.name} | ${b.name} | B / A | p50 ms: ${a.name} | ${b.name} | floor | over the floor: A | B |`,
  );
  console.log('| --: | --: | --: | --: | --: | --: | --: | --: | --: |');
  const ratios: number[] = [];
  const overheads: { A: number[]; B: number[] } = { A: [], B: [] };
  for (let round = 1; round <= config.PAIR_ROUNDS; round += 1) {
    targets.forEach((target) => (target.latenciesMs = []));
    const before = cpuOf([a, b]);
    await sendPages(targets, timed, cursors, { pages: config.PAIR_PAGES, offset: round * 7, concurrency });
    const [cpuA, cpuB] = cpuOf([a, b]).map((ms, i) => (ms - before[i]!) / config.PAIR_PAGES) as [number, number];
    ratios.push(cpuB / cpuA);
    overheads.A.push(p50(a) - p50(floor));
    overheads.B.push(p50(b) - p50(floor));
    console.log(
      `| ${round} | ${cpuA.toFixed(3)} | ${cpuB.toFixed(3)} | ${(cpuB / cpuA).toFixed(3)} | ${p50(a).toFixed(2)} | ${p50(b).toFixed(2)} | ${p50(floor).toFixed(2)} | ${overheads.A.at(-1)!.toFixed(2)} | ${overheads.B.at(-1)!.toFixed(2)} |`,
    );
  }
  const range = (values: number[]) => {
    const sorted = [...values].sort((x, y) => x - y);
    return `median ${median(sorted).toFixed(3)}, ${sorted[0]!.toFixed(3)}–${sorted.at(-1)!.toFixed(3)}`;
  };
  const rounds = `over ${ratios.length} rounds of ${config.PAIR_PAGES} pages, ${concurrency} at a time`;
  console.log(`\nCPU per page, B / A: ${range(ratios)} ${rounds}`);
  console.log(`p50 over the floor, ms: A ${range(overheads.A)}; B ${range(overheads.B)}`);
}

const workspace = await createWorkspace(config);
const processes: BenchProcess[] = [];
const targets: Target[] = [];
try {
  await seedDatabases(workspace.databases);
  const origins = await startSubgraphs(workspace, processes);
  const urls = { recipes: `${origins.recipes}/graphql`, comments: `${origins.comments}/graphql` };
  const supergraph = await writeSupergraph(workspace, 'supergraph.graphql', urls);
  const credential = (subgraph: string) => workspace.auth.credential(subgraph);
  // A, B, then the floor: the order `measure` reads them in.
  targets.push(await startGateway('A', workspace, supergraph, urls, processes));
  targets.push(await startGateway('B', workspace, supergraph, urls, processes));
  targets.push({ name: 'floor', latenciesMs: [], ...subgraphPage(origins, credential, concurrency) });
  const cursors = await pageCursors(urls.recipes, () => credential('recipes'));
  await sendPages(targets, timed, cursors, { pages: config.PAIR_WARMUP_PAGES, offset: 0, concurrency });
  await measure(targets, cursors);
} finally {
  await Promise.all(targets.map((target) => target.close()));
  await Promise.all(processes.map((running) => stopProcess(running)));
  await workspace.cleanUp();
}
