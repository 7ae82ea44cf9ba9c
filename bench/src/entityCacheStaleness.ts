import { percentile, round } from './stats.js';

/** A read whose every part but the root comes from cached entities: comments (comments subgraph), each comment's recipe title (recipes). */
export const STALENESS_READ = `query CacheStaleness($id: ID!) {
  recipe(id: $id) { comments(first: 5) { edges { node { text recipe { title } } } } }
}`;
const ADD_COMMENT = `mutation CacheAdd($input: AddCommentInput!) { addComment(input: $input) { id } }`;
const CREATE = `mutation CacheCreate($title: String!) { createRecipe(input: { title: $title, timeMinutes: 5, price: "1" }) { id } }`;
const UPDATE_TITLE = `mutation CacheUpdate($id: ID!, $title: String!) { updateRecipe(id: $id, input: { title: $title }) { id } }`;

type StalenessView = {
  data?: {
    recipe: { comments: { edges: Array<{ node: { text: string; recipe: { title: string } | null } }> } } | null;
  };
};

export interface StalenessResult {
  writes: number;
  /** Writes whose next read through the writing gateway did not show them (must be 0: read-your-writes). */
  staleOnWriter: number;
  /** From the write's answer to the first read through the other gateway that shows it, ms. */
  otherGatewayMs: { p50: number; p95: number; p99: number; max: number };
  /** Reads through the other gateway until then, the last of which showed it. */
  readsPerWrite: number;
}

export interface StalenessTarget {
  writer: string;
  reader: string;
  /** A signed-in user's header: the recipes are theirs, so they may rename them. */
  authorization: string;
}

interface Prepared extends StalenessTarget {
  recipeIds: string[];
}

/** Recipes of the writing user, each with a comment, so both writes change what the read shows. */
async function prepare(target: StalenessTarget, count: number): Promise<Prepared> {
  const recipeIds: string[] = [];
  for (let n = 0; n < count; n++) {
    const created = (await post(target.writer, CREATE, { title: `Staleness ${n}` }, target.authorization)) as {
      data?: { createRecipe: { id: string } };
    };
    const id = created.data!.createRecipe.id;
    // addComment waits (RECIPE_WAIT_MS) for the new recipe to reach the comments service's replica.
    await post(target.writer, ADD_COMMENT, { input: { recipeId: id, text: 'first' } }, target.authorization);
    recipeIds.push(id);
  }
  return { ...target, recipeIds };
}

async function send(url: string, query: string, variables: Record<string, unknown>, authorization?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as StalenessView & { errors?: unknown };
}

/** A write, or a read that must succeed (the warm-up reads). */
async function post(url: string, query: string, variables: Record<string, unknown>, authorization?: string) {
  const body = await send(url, query, variables, authorization);
  if (body.errors) throw new Error(`${url} answered errors: ${JSON.stringify(body.errors)}`);
  return body;
}

/** Whether the read shows the write: the comment's text, or the new title on the recipe's comments. */
function shows(view: StalenessView, expected: { text?: string; title?: string }): boolean {
  const edges = view.data?.recipe?.comments.edges ?? [];
  if (expected.text) return edges.some(({ node }) => node.text === expected.text);
  return edges.length > 0 && edges.every(({ node }) => node.recipe?.title === expected.title);
}

async function oneWrite(target: Prepared, n: number): Promise<{ ms: number; reads: number; stale: boolean }> {
  const id = target.recipeIds[n % target.recipeIds.length]!;
  for (const url of [target.writer, target.reader, target.reader]) await post(url, STALENESS_READ, { id });
  const expected = n % 2 === 0 ? { text: `staleness ${n}` } : { title: `Renamed ${n}` };
  if (expected.text) {
    await post(target.writer, ADD_COMMENT, { input: { recipeId: id, text: expected.text } }, target.authorization);
  } else {
    await post(target.writer, UPDATE_TITLE, { id, title: expected.title }, target.authorization);
  }
  const written = performance.now();
  const stale = !shows(await post(target.writer, STALENESS_READ, { id }), expected);
  // A read that failed (a subgraph too slow on a busy machine) proves nothing either way: read again.
  for (let reads = 1; ; reads++) {
    const read = await send(target.reader, STALENESS_READ, { id });
    if (!read.errors && shows(read, expected)) {
      return { ms: performance.now() - written, reads, stale };
    }
    if (performance.now() - written > 30_000) throw new Error(`write ${n} never became visible on the other gateway`);
  }
}

/**
 * Writes through one gateway (alternately a comment added and a recipe renamed) and reads
 * through another whose cache held the old answer, as fast as it answers, until the write
 * shows: the staleness a reader of a cached gateway sees, the event lag included.
 */
export async function measureStaleness(target: StalenessTarget, writes: number): Promise<StalenessResult> {
  const prepared = await prepare(target, 10);
  const results = [];
  for (let n = 0; n < writes; n++) results.push(await oneWrite(prepared, n));
  const ms = results.map((result) => result.ms);
  return {
    writes,
    staleOnWriter: results.filter((result) => result.stale).length,
    otherGatewayMs: {
      p50: round(percentile(ms, 50), 1),
      p95: round(percentile(ms, 95), 1),
      p99: round(percentile(ms, 99), 1),
      max: round(Math.max(...ms), 1),
    },
    readsPerWrite: round(results.reduce((sum, result) => sum + result.reads, 0) / writes, 1),
  };
}
