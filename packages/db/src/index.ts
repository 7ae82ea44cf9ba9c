export { migrate, readMigrations, checksumOf, MigrationError } from './migrate.js';
export type { MigrateResult, MigrationFile } from './migrate.js';
export { ensureDatabase, dropDatabase, databaseNameOf, withDatabase } from './database.js';
export { prismaClientOptions, forwardQueries, type PrismaConnectionOptions } from './prismaOptions.js';
