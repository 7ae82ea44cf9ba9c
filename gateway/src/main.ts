import { startTracing } from '@potluck/telemetry';

// Tracing first: what it instruments (express, graphql, undici) must load after it, so the rest is imported here.
// Callers' trace context is not continued: the internet must not pick our trace ids or sampling.
const tracing = await startTracing(process.env, { serviceName: 'gateway', continueIncomingTraces: false });
const { runService } = await import('@potluck/service');
const { startGateway } = await import('./app.js');
const { loadConfig } = await import('./config.js');

await runService(() => loadConfig(process.env), tracing.stoppedWith(startGateway));
