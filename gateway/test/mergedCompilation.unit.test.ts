import { readFileSync } from 'node:fs';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type QueryPlan } from '@apollo/query-planner';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { Kind, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compilableDocument } from '@potluck/service';
import { mergeableQuery } from '../src/batching/mergedQuery.js';
import { DEFAULT_SUBGRAPH_BATCH_MAX } from '../src/config.js';

/*
 * A merged call is worth little if the subgraph then runs it slower: Potluck's subgraphs run
 * an operation compiled by graphql-jit only when its names and size are safe to compile
 * (`compilableDocument`), and the first merged aliases (`_b0_recipes`) were not, so every
 * merged call ran on graphql-js (bench/README item 25).
 */

const read = (path: string) => readFileSync(new URL(`../../schema/${path}`, import.meta.url), 'utf8');
const supergraph = Supergraph.build(read('supergraph.graphql'));
const planner = new QueryPlanner(supergraph);
const subgraphSchemas = {
  recipes: buildSubgraphSchema({ typeDefs: parse(read('recipes.graphql')) }),
  comments: buildSubgraphSchema({ typeDefs: parse(read('comments.graphql')) }),
};

const BENCH_PAGES = `query BenchPages($after: String) { recipes(first: 20, after: $after) { edges { node {
  id title timeMinutes price comments(first: 5) { totalCount edges { node { id author { id name } text createdAt } } } } } } }`;

function fetchesOf(node: QueryPlan['node']): Array<{ serviceName: string; operation: string }> {
  if (!node) return [];
  switch (node.kind) {
    case 'Fetch':
      return [{ serviceName: node.serviceName, operation: node.operation }];
    case 'Sequence':
    case 'Parallel':
      return node.nodes.flatMap(fetchesOf);
    case 'Flatten':
      return fetchesOf(node.node);
    default:
      return [];
  }
}

/** The subgraph queries Apollo's planner makes of each example query operation and of the benchmark's page. */
function plannedQueries() {
  const documents = [
    parse(BENCH_PAGES),
    ...['recipes.graphql', 'comments.graphql'].map((file) => parse(read(`operations/${file}`))),
  ];
  return documents.flatMap((document) =>
    document.definitions.flatMap((definition) => {
      if (definition.kind !== Kind.OPERATION_DEFINITION || definition.operation !== 'query') return [];
      const operationName = definition.name?.value;
      const plan = planner.buildQueryPlan(operationFromDocument(supergraph.schema, document, { operationName }));
      return fetchesOf(plan.node);
    }),
  );
}

describe('merged subgraph queries in the subgraphs', () => {
  const planned = plannedQueries();

  it('plans queries of both subgraphs, most of them mergeable', () => {
    expect(new Set(planned.map((fetch) => fetch.serviceName))).toEqual(new Set(['recipes', 'comments']));
    expect(planned.filter((fetch) => mergeableQuery(fetch.operation)).length).toBeGreaterThan(planned.length / 2);
  });

  it(`are compiled by graphql-jit, as the same query alone is, up to ${DEFAULT_SUBGRAPH_BATCH_MAX} to a call`, () => {
    for (const { serviceName, operation } of planned) {
      const query = mergeableQuery(operation);
      if (!query) continue;
      const schema = subgraphSchemas[serviceName as keyof typeof subgraphSchemas];
      expect(compilableDocument(schema, parse(operation)), operation).not.toHaveProperty('reason');
      for (let count = 2; count <= DEFAULT_SUBGRAPH_BATCH_MAX; count += 1) {
        const merged = compilableDocument(schema, parse(query.textFor(count)));
        expect(merged, `${count} × ${operation}`).not.toHaveProperty('reason');
      }
    }
  });
});
