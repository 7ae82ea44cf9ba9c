export { migrate, migrateAll, readMigrations, checksumOf, MigrationError } from './migrate.js';
export type { MigrateOptions, MigrateResult, MigrationFile, MigrationSource } from './migrate.js';
export { ensureDatabase, dropDatabase, databaseNameOf, withDatabase } from './database.js';
export { openPrisma, type PrismaConnectionOptions } from './prismaOptions.js';
