import { randomBytes } from 'node:crypto';
import { dropDatabase, ensureDatabase, withDatabase } from '@potluck/db';

/** The Postgres server tests use; override with TEST_DATABASE_URL. */
export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
}

export function randomName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** The name of a service's migrated template database, set by the global setup. */
export function templateName(service: string): string {
  const name = process.env[`POTLUCK_TEST_TEMPLATE_${service.toUpperCase()}`];
  if (!name)
    throw new Error(`no template database for ${service}: is vitest's globalSetup (packages/testing) configured?`);
  return name;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A throwaway database copied from the service's migrated template; drop it in afterAll. */
export async function createTestDatabase(service: string): Promise<TestDatabase> {
  const url = withDatabase(testServerUrl(), randomName(`potluck_test_${service}`));
  await ensureDatabase(url, templateName(service));
  return { url, drop: () => dropDatabase(url) };
}
