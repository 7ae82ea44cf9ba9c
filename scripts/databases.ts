import path from 'node:path';
import { ensureDatabase, type MigrateResult } from '@potluck/db';
import { migrateSubgraph } from '@potluck/service';
import { REPO_ROOT, SERVICES, type ServiceName } from './stack.js';
import type { StackConfig } from './stackConfig.js';

export interface PreparedDatabase extends MigrateResult {
  name: ServiceName;
  database: string;
  created: boolean;
}

/** Creates each subgraph's database when missing and applies its pending migrations and messaging's (`npm start`, `npm run migrate`). */
export async function prepareDatabases(config: StackConfig): Promise<PreparedDatabase[]> {
  const prepared: PreparedDatabase[] = [];
  for (const [name, url] of [
    ['recipes', config.RECIPES_DATABASE_URL],
    ['comments', config.COMMENTS_DATABASE_URL],
  ] as const) {
    const created = await ensureDatabase(url);
    const result = await migrateSubgraph(url, path.join(REPO_ROOT, SERVICES[name].migrations));
    prepared.push({ name, database: new URL(url).pathname.slice(1), created, ...result });
  }
  return prepared;
}
