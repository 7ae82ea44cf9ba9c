import path from 'node:path';
import { ensureDatabase, migrate } from '@potluck/db';
import { loadStackConfig } from './stackConfig.js';
import { REPO_ROOT, SERVICES } from './stack.js';

/** `npm run migrate`: creates both databases when missing and applies pending migrations. */
const config = loadStackConfig(process.env);

for (const [name, url] of [
  ['recipes', config.RECIPES_DATABASE_URL],
  ['comments', config.COMMENTS_DATABASE_URL],
] as const) {
  const created = await ensureDatabase(url);
  const { applied, alreadyApplied } = await migrate(url, path.join(REPO_ROOT, SERVICES[name].migrations));
  console.log(
    `${name}: ${created ? 'created the database, ' : ''}applied ${applied.length}, ${alreadyApplied.length} already applied`,
  );
}
