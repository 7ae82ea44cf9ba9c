import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dropDatabase, ensureDatabase, withDatabase } from '@potluck/db';
import { findSchemaDrift, randomName, testServerUrl } from '@potluck/testing';

const PRISMA_SCHEMA = `
datasource db {
  provider = "postgresql"
}

model Dish {
  id       String   @id @db.Uuid
  name     String   @db.VarChar(50)
  servings Int
  notes    String?
  @@index([name, id])
  @@map("dishes")
}
`;

let url: string;
let dir: string;

beforeAll(async () => {
  url = withDatabase(testServerUrl(), randomName('potluck_test_drift'));
  await ensureDatabase(url);
  dir = await mkdtemp(path.join(os.tmpdir(), 'potluck-drift-'));
  await writeFile(path.join(dir, 'schema.prisma'), PRISMA_SCHEMA);
});

afterAll(async () => {
  await dropDatabase(url);
  await rm(dir, { recursive: true, force: true });
});

it('names every way a database differs from schema.prisma', async () => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(
    `CREATE TABLE dishes (id uuid PRIMARY KEY, name varchar(80) NOT NULL, notes text NOT NULL, extra int)`,
  );
  await client.end();

  const problems = await findSchemaDrift(url, path.join(dir, 'schema.prisma'));

  expect(problems).toEqual(
    expect.arrayContaining([
      'dishes.name is character varying(80), schema says character varying(50)',
      'dishes.servings (Dish.servings) is missing',
      'dishes.notes is not nullable, schema says the opposite',
      'dishes.extra exists but is not in the schema',
      'dishes has no index on (name,id)',
    ]),
  );
  expect(problems).toHaveLength(5);
});
