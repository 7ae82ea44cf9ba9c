import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  startGatewayProcess,
  startStandInSubgraph,
  type GatewayProcess,
  type StandInSubgraph,
} from './gatewayHelpers.js';

/**
 * A refused request costs nothing that outlives it: hundreds of anonymous requests, each a new
 * document with a ~0.9 MB string where a page size belongs, leave the gateway's memory flat.
 * (The cost check once remembered each request's raw variables: about 1 MB kept per request.)
 */
let gateway: GatewayProcess;
let subgraph: StandInSubgraph;

beforeAll(async () => {
  subgraph = await startStandInSubgraph({ kind: 'answer', body: () => ({ data: null }) });
  gateway = await startGatewayProcess({ RECIPES_URL: subgraph.url, COMMENTS_URL: subgraph.url });
});

afterAll(async () => {
  expect(await gateway?.stop()).toBe(0);
  await subgraph?.close();
});

async function residentMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kiB = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return kiB / 1024;
}

const HUGE = 'x'.repeat(900_000);

async function abusiveRequests(from: number, count: number, concurrency = 2): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < from + count) {
      const n = next++;
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `query Q${n}($n: Int) { recipes(first: $n) { totalCount } }`,
          variables: { n: HUGE },
        }),
      });
      expect(response.status).toBe(400);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

it('stays flat under a few hundred abusive requests', { timeout: 180_000 }, async () => {
  const pid = gateway.process.child.pid!;
  await abusiveRequests(0, 150); // the heap grows to its working size first
  const before = await residentMiB(pid);
  await abusiveRequests(150, 400);
  const after = await residentMiB(pid);
  // Each request once kept about 1.8 MiB (its variables, twice): 400 of them, some 700 MiB. A
  // gateway that keeps nothing still grows its heap a little when other test files load the
  // machine and collection falls behind (up to ~150 MiB seen), hence the margin.
  expect(after - before, `RSS ${before.toFixed(0)} → ${after.toFixed(0)} MiB`).toBeLessThan(300);
});
