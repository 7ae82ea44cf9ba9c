import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksumOf, dropDatabase, ensureDatabase, migrate, withDatabase } from '@potluck/db';
import { randomName, testServerUrl } from '@potluck/testing';

async function writeMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(path.join(dir, name), { recursive: true });
  await writeFile(path.join(dir, name, 'migration.sql'), sql);
}

async function query<Row extends pg.QueryResultRow>(url: string, sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('migration runner (prisma migrate deploy rules)', () => {
  let dir: string;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'potluck-migrations-'));
    url = withDatabase(testServerUrl(), randomName('potluck_test_migrate'));
    await ensureDatabase(url);
  });

  afterAll(async () => {
    await dropDatabase(url);
    await rm(dir, { recursive: true, force: true });
  });

  it('applies pending migrations in name order and records them with SHA-256 checksums', async () => {
    const first = 'CREATE TABLE a (id int PRIMARY KEY);';
    await writeMigration(dir, '20260101000000_a', first);
    await writeMigration(dir, '20260102000000_b', 'ALTER TABLE a ADD COLUMN b text;');

    const result = await migrate(url, dir);

    expect(result.applied).toEqual(['20260101000000_a', '20260102000000_b']);
    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
    }>(
      url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((row) => row.migration_name)).toEqual(['20260101000000_a', '20260102000000_b']);
    expect(rows[0]?.checksum).toBe(checksumOf(first));
    expect(rows[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(rows.every((row) => row.finished_at !== null && row.applied_steps_count === 1)).toBe(true);
  });

  it('applies nothing twice, also when two runners start at once', async () => {
    await writeMigration(dir, '20260103000000_c', 'ALTER TABLE a ADD COLUMN c text;');
    const [one, two] = await Promise.all([migrate(url, dir), migrate(url, dir)]);
    expect([...one.applied, ...two.applied]).toEqual(['20260103000000_c']);
    const rows = await query<{ count: string }>(url, 'SELECT count(*) FROM _prisma_migrations');
    expect(Number(rows[0]?.count)).toBe(3);
  });

  it('refuses to go on when an applied migration was edited', async () => {
    await writeMigration(dir, '20260101000000_a', 'CREATE TABLE a (id bigint PRIMARY KEY);');
    await expect(migrate(url, dir)).rejects.toThrow(/20260101000000_a was modified after it was applied/);
    await writeMigration(dir, '20260101000000_a', 'CREATE TABLE a (id int PRIMARY KEY);');
  });

  it('records a failed migration with its error and blocks later runs until it is resolved', async () => {
    await writeMigration(dir, '20260104000000_broken', 'ALTER TABLE missing_table ADD COLUMN x int;');
    await expect(migrate(url, dir)).rejects.toThrow(/20260104000000_broken failed: .*missing_table/);
    const [failed] = await query<{ logs: string; finished_at: Date | null }>(
      url,
      "SELECT logs, finished_at FROM _prisma_migrations WHERE migration_name = '20260104000000_broken'",
    );
    expect(failed?.finished_at).toBeNull();
    expect(failed?.logs).toMatch(/missing_table/);

    await writeMigration(dir, '20260104000000_broken', 'SELECT 1;');
    await expect(migrate(url, dir)).rejects.toThrow(/failed earlier and must be resolved/);
  });
});
