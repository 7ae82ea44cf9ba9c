import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase, ensureDatabase, readMigrations, withDatabase } from '@potluck/db';
import { subgraphMigrations } from '@potluck/messaging';
import { queryRows, randomName, testServerUrl } from '@potluck/testing';
import { REPO_ROOT, SERVICES } from '../stack.js';

/**
 * `scripts/migrateSubgraph.ts` as the Kubernetes init container runs it: a process with only
 * DATABASE_URL, here several at once on one empty database, as replicas starting together do.
 */
const url = withDatabase(testServerUrl(), randomName('potluck_test_migrate'));

beforeAll(() => ensureDatabase(url));
afterAll(() => dropDatabase(url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function migrateProcess(args: string[], env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/migrateSubgraph.ts', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, ...out })));
}

async function expectedMigrations(): Promise<string[]> {
  const sources = subgraphMigrations(path.join(REPO_ROOT, SERVICES.recipes.migrations));
  const files = await Promise.all(
    sources.map((source) => readMigrations(source.dir, 'prefix' in source ? source.prefix : undefined)),
  );
  return files.flat().map((migration) => migration.name);
}

describe('scripts/migrateSubgraph.ts', () => {
  it('migrates once when three replicas start together: one applies everything, the others wait and find it done', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => migrateProcess(['recipes'], { DATABASE_URL: url })));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const expected = await expectedMigrations();
    const applied = runs.map((run) => Number(run.stdout.match(/^recipes: applied (\d+)/)?.[1]));
    expect(applied.sort((a, b) => a - b)).toEqual([0, 0, expected.length]);
    const rows = await queryRows(url, 'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL');
    expect(rows.map((row) => row.migration_name).sort()).toEqual([...expected].sort());
  });

  it('refuses an unknown subgraph and a missing DATABASE_URL, and exits 1 without touching anything', async () => {
    const unknown = await migrateProcess(['gateway'], { DATABASE_URL: url });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('the argument must be recipes or comments');
    const missing = await migrateProcess(['comments'], {});
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('DATABASE_URL is required');
  });

  it('fails on a database it cannot reach, without printing the password', async () => {
    const unreachable = withDatabase(testServerUrl(), randomName('potluck_test_absent'));
    const withPassword = unreachable.replace('postgresql://postgres@', 'postgresql://postgres:hunter2hunter2@');
    const run = await migrateProcess(['comments'], { DATABASE_URL: withPassword });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/migrateSubgraph: .*does not exist/);
    expect(run.stderr).not.toContain('hunter2');
  });
});
