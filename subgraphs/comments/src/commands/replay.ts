import { commandEnv, runReplayCommand } from '@potluck/service';
import { commentAdded } from '../comments/commentEvents.js';
import { loadConfig } from '../config.js';
import { createPrisma } from '../db.js';

/** `npm run replay -w @potluck/comments`: re-emits every comment as comment.added at its current version. */
const prisma = createPrisma(loadConfig(commandEnv('comments')).DATABASE_URL);
await runReplayCommand('comments', prisma, {
  loadPage: (page) => prisma.comment.findMany(page),
  snapshot: commentAdded,
});
