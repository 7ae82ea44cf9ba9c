import { appendToOutbox } from '@potluck/events';
import { commandEnv, replayAll } from '@potluck/service';
import { v7 as uuidv7 } from 'uuid';
import { commentAdded } from '../comments/commentEvents.js';
import { loadConfig } from '../config.js';
import { createPrisma } from '../db.js';

/** `npm run replay -w @potluck/comments`: re-emits every comment as comment.added at its current version. */
const config = loadConfig(commandEnv('comments'));
const prisma = createPrisma(config.DATABASE_URL);
try {
  const now = new Date();
  const count = await replayAll(
    (afterId, take) =>
      prisma.comment.findMany({ where: afterId ? { id: { gt: afterId } } : {}, orderBy: { id: 'asc' }, take }),
    (comments) =>
      prisma.$transaction(async (tx) => {
        for (const comment of comments)
          await appendToOutbox(tx, commentAdded(comment, { id: uuidv7(), occurredAt: now }));
      }),
  );
  console.log(`comments: queued ${count} comment snapshot(s) in the outbox; the running service publishes them`);
} finally {
  await prisma.$disconnect();
}
