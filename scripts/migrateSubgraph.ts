import path from 'node:path';
import { z } from 'zod';
import { envVar, migrateSubgraph, parseEnv } from '@potluck/service';
import { REPO_ROOT, SERVICES } from './stack.js';

/**
 * `node --import tsx scripts/migrateSubgraph.ts <recipes|comments>`: applies one subgraph's
 * pending migrations (its own, then messaging's) to the database at DATABASE_URL, under
 * Prisma's advisory lock, and exits: what a Kubernetes init container runs before the
 * subgraph serves with MIGRATE_ON_START=false. Replicas starting together wait for each
 * other on the lock; the later ones find nothing to apply. It never creates the database.
 */
const SUBGRAPHS = ['recipes', 'comments'] as const;

try {
  const subgraph = z
    .enum(SUBGRAPHS, { message: `the argument must be ${SUBGRAPHS.join(' or ')}` })
    .parse(process.argv[2]);
  const config = parseEnv(z.object({ DATABASE_URL: envVar.url(['postgres', 'postgresql']) }), process.env);
  const migrations = path.join(REPO_ROOT, SERVICES[subgraph].migrations);
  const { applied, alreadyApplied } = await migrateSubgraph(config.DATABASE_URL, migrations);
  console.log(
    `${subgraph}: applied ${applied.length} (${applied.join(', ') || 'none'}), ${alreadyApplied.length} already applied`,
  );
} catch (error) {
  const message =
    error instanceof z.ZodError
      ? error.issues.map((issue) => issue.message).join('; ')
      : error instanceof Error
        ? error.message
        : String(error);
  console.error(`migrateSubgraph: ${message}`);
  process.exit(1);
}
