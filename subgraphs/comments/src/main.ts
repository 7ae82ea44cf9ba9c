import { startTracing } from '@potluck/telemetry';

// Tracing first: what it instruments (express, graphql, pg, Prisma) must load after it, so the rest is imported here.
const tracing = await startTracing(process.env, { serviceName: 'comments', continueIncomingTraces: true });
const { runService } = await import('@potluck/service');
const { startCommentsService } = await import('./app.js');
const { loadConfig } = await import('./config.js');

await runService(() => loadConfig(process.env), tracing.stoppedWith(startCommentsService));
