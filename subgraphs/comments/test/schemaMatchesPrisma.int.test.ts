import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, findSchemaDrift, type TestDatabase } from '@potluck/testing';

const SCHEMA = fileURLToPath(new URL('../prisma/schema.prisma', import.meta.url));
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('comments');
});
afterAll(() => database.drop());

it('the migrated comments database matches schema.prisma in every model, field and index', async () => {
  expect(await findSchemaDrift(database.url, SCHEMA)).toEqual([]);
});
