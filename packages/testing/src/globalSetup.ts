import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropDatabase, ensureDatabase, migrateAll, withDatabase, type MigrationSource } from '@potluck/db';
import { MESSAGING_MIGRATIONS, subgraphMigrations } from '@potluck/messaging';
import { randomName, testServerUrl } from './databases.js';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const migrations = (service: string) => path.join(REPO_ROOT, 'subgraphs', service, 'prisma', 'migrations');

/** Each template's migrations: a subgraph's as its service applies them, messaging's alone for its own tests. */
const TEMPLATES: Record<string, readonly MigrationSource[]> = {
  recipes: subgraphMigrations(migrations('recipes')),
  comments: subgraphMigrations(migrations('comments')),
  messaging: [MESSAGING_MIGRATIONS],
};

const created: string[] = [];

/**
 * Vitest global setup: migrates one template database per service, and one with only
 * messaging's tables, for this run. Test files copy it with CREATE DATABASE … TEMPLATE,
 * which is far faster than migrating.
 */
export async function setup(): Promise<void> {
  for (const [service, sources] of Object.entries(TEMPLATES)) {
    const url = withDatabase(testServerUrl(), randomName(`potluck_tpl_${service}`));
    await ensureDatabase(url);
    created.push(url);
    await migrateAll(url, sources);
    process.env[`POTLUCK_TEST_TEMPLATE_${service.toUpperCase()}`] = new URL(url).pathname.slice(1);
  }
}

export async function teardown(): Promise<void> {
  await Promise.all(created.map((url) => dropDatabase(url)));
}
