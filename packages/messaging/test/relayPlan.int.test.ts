import { afterAll, beforeAll, expect, it } from 'vitest';
import { BEGIN_DRAIN, DUE_ROWS } from '../src/relay.js';
import { openTestPool, type TestPool } from './support.js';

let database: TestPool;

beforeAll(async () => {
  database = await openTestPool();
});

afterAll(() => database?.close());

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

/** Rows as the relay writes them; `sent` ones as it leaves them after publishing. */
async function insertRows(count: number, sent: boolean): Promise<void> {
  await database.pool.query(
    `INSERT INTO outbox (id, type, aggregate_id, aggregate_version, payload, sent_at)
     SELECT gen_random_uuid(), 'recipe.created', gen_random_uuid(), 1,
            jsonb_build_object('padding', repeat('x', 400)), CASE WHEN $2 THEN now() END
       FROM generate_series(1, $1::int)`,
    [count, sent],
  );
}

it('takes the next batch of a backlog by walking the unsent rows in order, never sorting the backlog, even on stale statistics', async () => {
  // Statistics gathered while every row was sent, then an outage's backlog: what a relay meets when it reconnects.
  await insertRows(3000, true);
  await database.pool.query('ANALYZE outbox');
  await insertRows(5000, false);

  const client = await database.pool.connect();
  try {
    await client.query(BEGIN_DRAIN);
    const { rows: explained } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
      `EXPLAIN (FORMAT JSON) ${DUE_ROWS}`,
      [200],
    );
    const nodes = nodesOf(explained[0]!['QUERY PLAN'][0]!.Plan);
    const { rows: batch } = await client.query<{ id: string }>(DUE_ROWS, [200]);
    const { rows: firstUnsent } = await client.query<{ id: string }>(
      'SELECT id FROM outbox WHERE sent_at IS NULL ORDER BY position LIMIT 200',
    );
    await client.query('ROLLBACK');

    expect(nodes.map((node) => node['Node Type'])).not.toContain('Sort');
    expect(nodes.map((node) => node['Index Name'])).toContain('outbox_unsent_position_idx');
    expect(batch.map((row) => row.id)).toEqual(firstUnsent.map((row) => row.id));
  } finally {
    client.release();
  }
});
