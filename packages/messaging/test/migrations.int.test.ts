import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { dropDatabase, ensureDatabase, migrate, migrateAll, withDatabase } from '@potluck/db';
import { endPool, openPool, randomName, testServerUrl, waitFor } from '@potluck/testing';
import { MESSAGING_MIGRATIONS, OUTBOX_CHANNEL, recordBatchInInbox, subgraphMigrations } from '../src/index.js';
import { pgTransactions } from './support.js';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** The first adopts the tables a subgraph's older migrations made; the later ones change them for every database alike. */
const MESSAGING_MIGRATIONS_APPLIED = [
  'messaging_20261201000000_outbox_inbox',
  'messaging_20261202000000_outbox_trace_context',
  'messaging_20261203000000_outbox_unsent_index',
];
const UNSENT_INDEX = {
  indexname: 'outbox_unsent_position_idx',
  indexdef: 'CREATE INDEX outbox_unsent_position_idx ON public.outbox USING btree ("position") WHERE (sent_at IS NULL)',
};
const TRACE_CONTEXT_COLUMN = {
  table_name: 'outbox',
  column_name: 'trace_context',
  data_type: 'jsonb',
  datetime_precision: null,
  column_default: null,
  is_nullable: 'YES',
};
const subgraphDir = (service: string) => path.join(REPO_ROOT, 'subgraphs', service, 'prisma', 'migrations');

const databases: string[] = [];

async function emptyDatabase(): Promise<{ url: string; pool: pg.Pool }> {
  const url = withDatabase(testServerUrl(), randomName('potluck_test_messaging_migrations'));
  await ensureDatabase(url);
  databases.push(url);
  return { url, pool: openPool(url) };
}

afterAll(async () => {
  await Promise.all(databases.map((url) => dropDatabase(url)));
});

/** Everything about the outbox and inbox a migration could change: columns, indexes, the trigger and its function. */
async function storageShape(pool: pg.Pool) {
  const columns = await pool.query(
    `SELECT table_name, column_name, data_type, datetime_precision, column_default, is_nullable
       FROM information_schema.columns WHERE table_name IN ('outbox', 'inbox') ORDER BY table_name, ordinal_position`,
  );
  const indexes = await pool.query(
    `SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('outbox', 'inbox') ORDER BY indexname`,
  );
  const triggers = await pool.query(
    `SELECT t.tgname, pg_get_triggerdef(t.oid) AS definition, p.prosrc
       FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE t.tgrelid = 'outbox'::regclass AND NOT t.tgisinternal`,
  );
  return { columns: columns.rows, indexes: indexes.rows, triggers: triggers.rows };
}

async function migrationNames(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY started_at',
  );
  return rows.map((row) => row.name);
}

async function insertOutboxRow(pool: pg.Pool): Promise<string> {
  const id = randomUUID();
  await pool.query(
    `INSERT INTO outbox (id, type, aggregate_id, aggregate_version, payload) VALUES ($1, 'recipe.created', $2, 1, '{}')`,
    [id, randomUUID()],
  );
  return id;
}

describe("messaging's migrations", () => {
  it.each(['recipes', 'comments'])(
    "change nothing on a %s database whose own migrations made the tables but add the trace context column and the unsent rows' index, and record themselves",
    async (service) => {
      const { url, pool } = await emptyDatabase();
      try {
        const own = await migrate(url, subgraphDir(service));
        const rowId = await insertOutboxRow(pool);
        const before = await storageShape(pool);

        const result = await migrateAll(url, subgraphMigrations(subgraphDir(service)));

        expect(result).toEqual({ applied: MESSAGING_MIGRATIONS_APPLIED, alreadyApplied: own.applied });
        expect(await storageShape(pool)).toEqual({
          ...before,
          columns: [...before.columns, TRACE_CONTEXT_COLUMN],
          indexes: [...before.indexes, UNSENT_INDEX].sort((a, b) => a.indexname.localeCompare(b.indexname)),
        });
        expect(await migrationNames(pool)).toEqual([...own.applied, ...MESSAGING_MIGRATIONS_APPLIED]);
        const { rows } = await pool.query('SELECT id, trace_context FROM outbox');
        expect(rows).toEqual([{ id: rowId, trace_context: null }]);
        expect((await migrateAll(url, subgraphMigrations(subgraphDir(service)))).applied).toEqual([]);
      } finally {
        await endPool(pool);
      }
    },
  );

  it("create on an empty database the same outbox and inbox a subgraph's database gets, with a working trigger", async () => {
    const { url, pool } = await emptyDatabase();
    const reference = await emptyDatabase();
    const listener = new pg.Client({ connectionString: url });
    try {
      await migrateAll(reference.url, subgraphMigrations(subgraphDir('recipes')));
      const result = await migrateAll(url, [MESSAGING_MIGRATIONS]);
      expect(result.applied).toEqual(MESSAGING_MIGRATIONS_APPLIED);
      expect(await storageShape(pool)).toEqual(await storageShape(reference.pool));

      await listener.connect();
      const notified: string[] = [];
      listener.on('notification', (message) => notified.push(message.channel));
      await listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
      await insertOutboxRow(pool);
      await waitFor(() => (notified.length > 0 ? true : undefined), { what: 'a NOTIFY after an outbox insert' });
      expect(notified).toEqual([OUTBOX_CHANNEL]);

      const [seen, fresh] = [randomUUID(), randomUUID()];
      const inbox = pgTransactions(pool);
      const record = async (...ids: string[]) => {
        const news = await inbox((tx) =>
          recordBatchInInbox(
            tx,
            ids.map((id) => ({ id, type: 'recipe.created' })),
          ),
        );
        return ids.map((id) => news.take(id));
      };
      expect(await record(seen)).toEqual([true]);
      // Already seen, new but twice, and new in capitals: each new id once.
      const shouting = randomUUID().toUpperCase();
      expect(await record(seen, fresh, fresh, shouting)).toEqual([false, true, false, true]);
    } finally {
      await listener.end().catch(() => undefined);
      await Promise.all([endPool(pool), endPool(reference.pool)]);
    }
  });
});
