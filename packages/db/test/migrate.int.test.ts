import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksumOf, dropDatabase, ensureDatabase, migrate, withDatabase } from '@potluck/db';
import { randomName, testServerUrl } from '@potluck/testing';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

async function writeMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(path.join(dir, name), { recursive: true });
  await writeFile(path.join(dir, name, 'migration.sql'), sql);
}

async function query<Row extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

function recorded(url: string, name: string): Promise<Array<{ finished_at: Date | null }>> {
  return query(url, 'SELECT finished_at FROM _prisma_migrations WHERE migration_name = $1', [name]);
}

async function tableExists(url: string, table: string): Promise<boolean> {
  const [row] = await query<{ exists: boolean }>(url, 'SELECT to_regclass($1) IS NOT NULL AS exists', [table]);
  return row?.exists === true;
}

describe('migration runner (prisma migrate deploy rules)', () => {
  let root: string;
  let dir: string;
  let url: string;

  /** A migrations folder of its own, for tests that must not see the shared history. */
  const freshDir = () => mkdtemp(path.join(root, 'case-'));

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'potluck-migrations-'));
    dir = await freshDir();
    url = withDatabase(testServerUrl(), randomName('potluck_test_migrate'));
    await ensureDatabase(url);
  });

  afterAll(async () => {
    await dropDatabase(url);
    await rm(root, { recursive: true, force: true });
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

  it('rolls a failing migration back entirely and records nothing, so a fixed file applies next time', async () => {
    const own = await freshDir();
    const name = '20260201000000_broken';
    await writeMigration(own, name, 'CREATE TABLE half (x int); ALTER TABLE missing_table ADD COLUMN x int;');

    await expect(migrate(url, own)).rejects.toThrow(/20260201000000_broken failed.*missing_table/);
    expect(await recorded(url, name)).toEqual([]);
    expect(await tableExists(url, 'half')).toBe(false);

    await writeMigration(own, name, 'CREATE TABLE half (x int);');
    expect((await migrate(url, own)).applied).toEqual([name]);
  });

  it('retries a migration whose connection died half-way, instead of blocking on it', async () => {
    const own = await freshDir();
    const name = '20260202000000_crash';
    await writeMigration(own, name, 'CREATE TABLE crashed (x int); SELECT pg_terminate_backend(pg_backend_pid());');

    await expect(migrate(url, own)).rejects.toThrow(/20260202000000_crash failed.*terminating connection/);
    expect(await recorded(url, name)).toEqual([]);
    expect(await tableExists(url, 'crashed')).toBe(false);

    await writeMigration(own, name, 'CREATE TABLE crashed (x int);');
    expect((await migrate(url, own)).applied).toEqual([name]);
    expect(await tableExists(url, 'crashed')).toBe(true);
  });

  it('gives up on a lock held elsewhere after the lock timeout, recording nothing', async () => {
    const own = await freshDir();
    const name = '20260203000000_alter_locked';
    await query(url, 'CREATE TABLE locked (x int)');
    await writeMigration(own, name, 'ALTER TABLE locked ADD COLUMN y int;');
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE locked IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      await expect(migrate(url, own, { lockTimeoutMs: 200 })).rejects.toThrow(
        /20260203000000_alter_locked timed out waiting for a lock/,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect(await recorded(url, name)).toEqual([]);
    expect((await migrate(url, own)).applied).toEqual([name]);
  }, 10_000);

  it('still blocks on an unfinished row left by an older runner until it is resolved', async () => {
    const own = await freshDir();
    const name = '20260204000000_half_applied';
    await migrate(url, own);
    await writeMigration(own, name, 'SELECT 1;');
    await query(
      url,
      "INSERT INTO _prisma_migrations (id, checksum, migration_name, logs) VALUES ($1, $2, $3, 'interrupted')",
      [randomUUID(), checksumOf('SELECT 1;'), name],
    );

    await expect(migrate(url, own)).rejects.toThrow(/20260204000000_half_applied failed earlier and must be resolved/);

    await query(url, 'UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = $1', [name]);
    expect((await migrate(url, own)).applied).toEqual([name]);
  });
});

describe('migration files in git', () => {
  it('are checked out with LF line endings everywhere, so their checksums match the recorded ones', async () => {
    const git = promisify(execFile);
    const { stdout: files } = await git('git', ['ls-files', '--', '*.sql'], { cwd: REPO_ROOT });
    const sqlFiles = files.split('\n').filter(Boolean);
    expect(sqlFiles).toContain('subgraphs/recipes/prisma/migrations/20261129000000_init/migration.sql');

    const { stdout } = await git('git', ['check-attr', 'eol', '--', ...sqlFiles], { cwd: REPO_ROOT });
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines.map((line) => line.slice(line.lastIndexOf(': ') + 2))).toEqual(sqlFiles.map(() => 'lf'));
  });
});
