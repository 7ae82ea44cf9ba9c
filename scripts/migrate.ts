import { prepareDatabases } from './databases.js';
import { loadStackConfig } from './stackConfig.js';

/** `npm run migrate`: creates both databases when missing and applies pending migrations. */
const config = loadStackConfig(process.env);

for (const { name, created, applied, alreadyApplied } of await prepareDatabases(config)) {
  console.log(
    `${name}: ${created ? 'created the database, ' : ''}applied ${applied.length}, ${alreadyApplied.length} already applied`,
  );
}
