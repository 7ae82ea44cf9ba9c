import { createLogger } from '@potluck/service';
import { freePort } from '@potluck/testing';
import { waitForHttpOk } from '../../../scripts/stack.js';
import { startCommentsService } from '../../../subgraphs/comments/src/app.js';
import { loadConfig as loadCommentsConfig } from '../../../subgraphs/comments/src/config.js';
import { startRecipesService } from '../../../subgraphs/recipes/src/app.js';
import { loadConfig as loadRecipesConfig } from '../../../subgraphs/recipes/src/config.js';
import { potluckGateway, writeSupergraph, type BenchWorkspace } from './benchStack.js';
import type { BenchConfig } from './config.js';
import { stopProcess, tailOf } from './processes.js';
import { body, isGraphQLSuccess, pageQuery } from './queries.js';

export interface StatementCount {
  pageSize: number;
  requests: number;
  /** Statements per request at each subgraph's database client, and in all. */
  perRequest: { recipes: number; comments: number; total: number };
  /** The distinct statements seen, shortened: what the count is made of. */
  statements: { recipes: string[]; comments: string[] };
}

const shorten = (sql: string) => sql.replace(/\s+/g, ' ').slice(0, 100);

type Seen = { recipes: string[]; comments: string[] };

/** Both subgraphs in this process, each reporting every statement its database client sends into `seen`. */
async function startCountingSubgraphs(config: BenchConfig, workspace: BenchWorkspace, seen: Seen) {
  const env = async (name: 'recipes' | 'comments') => ({
    DATABASE_URL: workspace.databases[name],
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    MIGRATE_ON_START: 'false',
    AMQP_URL: config.AMQP_URL,
    AMQP_PREFIX: workspace.amqpPrefix,
    OUTBOX_POLL_MS: String(3_600_000),
    ...workspace.auth.env,
  });
  const overrides = (name: 'recipes' | 'comments') => ({
    logger: createLogger(name, 'silent'),
    onQuery: (sql: string) => void seen[name].push(sql),
  });
  const recipes = await startRecipesService(loadRecipesConfig(await env('recipes')), overrides('recipes'));
  try {
    const comments = await startCommentsService(loadCommentsConfig(await env('comments')), overrides('comments'));
    return {
      urls: { recipes: recipes.url, comments: comments.url },
      stop: async () => void (await Promise.all([recipes.stop(), comments.stop()])),
    };
  } catch (error) {
    await recipes.stop();
    throw error;
  }
}

/**
 * Statements per scenario-1 request, counted where they are sent: both subgraphs run in
 * this process with Prisma's query event (`onQuery`), behind Potluck's gateway as a
 * process. The relay's fallback poll is pushed out of the way so only requests are counted.
 */
export async function countStatements(
  config: BenchConfig,
  workspace: BenchWorkspace,
  pageSizes = [10, 100],
): Promise<StatementCount[]> {
  const seen: Seen = { recipes: [], comments: [] };
  const subgraphs = await startCountingSubgraphs(config, workspace, seen);
  try {
    const gateway = await startGatewayFor(workspace, subgraphs.urls);
    try {
      const counts: StatementCount[] = [];
      for (const size of pageSizes) counts.push(await measure(gateway.url, size, config.BENCH_SQL_REQUESTS, seen));
      return counts;
    } finally {
      await gateway.stop();
    }
  } finally {
    await subgraphs.stop();
  }
}

async function startGatewayFor(workspace: BenchWorkspace, urls: { recipes: string; comments: string }) {
  const supergraph = await writeSupergraph(workspace, 'supergraph-sql.graphql', urls);
  const port = await freePort();
  const gateway = potluckGateway('potluck-sql', port, supergraph, workspace, urls, 'warn');
  try {
    await waitForHttpOk(`http://127.0.0.1:${port}/health/ready`, 60_000);
  } catch (error) {
    await stopProcess(gateway);
    throw new Error(`${(error as Error).message}\n${tailOf(gateway)}`, { cause: error });
  }
  return { url: `http://127.0.0.1:${port}/graphql`, stop: () => stopProcess(gateway) };
}

async function measure(url: string, pageSize: number, requests: number, seen: Seen): Promise<StatementCount> {
  const payload = body(pageQuery(pageSize));
  const send = async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payload,
    });
    const text = await response.text();
    if (!isGraphQLSuccess(text)) throw new Error(`page of ${pageSize} failed: ${text.slice(0, 300)}`);
  };
  await send();
  seen.recipes.length = 0;
  seen.comments.length = 0;
  for (let index = 0; index < requests; index += 1) await send();
  const perRequest = (name: 'recipes' | 'comments') => seen[name].length / requests;
  return {
    pageSize,
    requests,
    perRequest: {
      recipes: perRequest('recipes'),
      comments: perRequest('comments'),
      total: perRequest('recipes') + perRequest('comments'),
    },
    statements: {
      recipes: [...new Set(seen.recipes.map(shorten))],
      comments: [...new Set(seen.comments.map(shorten))],
    },
  };
}
