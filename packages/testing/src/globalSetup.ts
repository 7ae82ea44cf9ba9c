import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropDatabase, ensureDatabase, migrate, withDatabase } from '@potluck/db';
import { randomName, testServerUrl } from './databases.js';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SERVICES = ['recipes', 'comments'] as const;

const created: string[] = [];

/**
 * Vitest global setup: migrates one template database per service for this run. Test
 * files copy it with CREATE DATABASE … TEMPLATE, which is far faster than migrating.
 */
export async function setup(): Promise<void> {
  for (const service of SERVICES) {
    const url = withDatabase(testServerUrl(), randomName(`potluck_tpl_${service}`));
    await ensureDatabase(url);
    created.push(url);
    await migrate(url, path.join(REPO_ROOT, 'subgraphs', service, 'prisma', 'migrations'));
    process.env[`POTLUCK_TEST_TEMPLATE_${service.toUpperCase()}`] = new URL(url).pathname.slice(1);
  }
}

export async function teardown(): Promise<void> {
  await Promise.all(created.map((url) => dropDatabase(url)));
}
