import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { findMigrationDrift } from '@potluck/testing';

const SCHEMA = fileURLToPath(new URL('../prisma/schema.prisma', import.meta.url));

it('the migrated recipes database matches schema.prisma in every model, field and index', async () => {
  expect(await findMigrationDrift('recipes', SCHEMA)).toEqual([]);
});
